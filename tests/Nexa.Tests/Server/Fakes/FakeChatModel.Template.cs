using Nexa.Engine.Text;
using Nexa.FakeRunner;

namespace Nexa.Tests.Server.Fakes;

/// <summary>The fake's chat template: the runner fake's (<see cref="FakeTemplate"/>), whatever its type, as for embeddings.</summary>
public sealed partial class FakeChatModel
{
    public Task<string> ApplyTemplateAsync(ChatRequest request, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(FakeTemplate.Render(request));
    }
}
