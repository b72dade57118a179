using Nexa.Cli.Repl;
using Nexa.Engine.Embeddings;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Cli;

/// <summary>An embedder and reranker for the CLI's modes: the server fake's vectors and scores, and the requests it got.</summary>
internal sealed class FakeEmbeddingBackend : IEmbeddingBackend
{
    public List<EmbeddingRequest> Embeddings { get; } = [];
    public List<RerankRequest> Reranks { get; } = [];
    public bool Disposed { get; private set; }

    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct)
    {
        Embeddings.Add(request);
        return Task.FromResult(new EmbeddingResult([.. request.Inputs.Select(i => FakeChatModel.Embed(i.Text!))], request.Inputs.Count * 3));
    }

    public Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct)
    {
        Reranks.Add(request);
        return Task.FromResult(new RerankResult([.. request.Documents.Select(d => FakeChatModel.Score(request.Query, d))], 42));
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
