using Nexa.Engine.Embeddings;

namespace Nexa.Cli.Repl;

/// <summary>Where `nexa infer` sends an embedder's inputs and a reranker's documents: the engine in this process.</summary>
internal interface IEmbeddingBackend : IAsyncDisposable
{
    Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct);

    Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct);
}
