using Nexa.Engine.Text;

namespace Nexa.Cli.Repl;

/// <summary>Where the REPL's turns go: the engine in this process (`infer`) or a running server (`run`).</summary>
internal interface IChatBackend : IAsyncDisposable
{
    IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, CancellationToken ct);

    /// <summary>False when the model is known to have no vision projector; a server decides for itself (and answers 400).</summary>
    bool CanSeeImages => true;
}
