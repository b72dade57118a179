using Nexa.Engine.Text;

namespace Nexa.Cli.Repl;

/// <summary>`nexa infer`: the engine in this process, as llama-cli does (no server, no runner).</summary>
internal sealed class LocalChatBackend(TextModel model) : IChatBackend
{
    public IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, CancellationToken ct) => model.GenerateAsync(request, ct);

    public bool CanSeeImages => model.Info.HasVision;

    public ValueTask DisposeAsync() => model.DisposeAsync();
}
