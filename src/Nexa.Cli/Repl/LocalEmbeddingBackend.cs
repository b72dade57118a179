using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Store;

namespace Nexa.Cli.Repl;

/// <summary>`nexa infer` for embedders and rerankers: the engine in this process (no server, no runner).</summary>
internal sealed class LocalEmbeddingBackend(ILoadedModel model) : IEmbeddingBackend
{
    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct) => model.EmbedAsync(request, ct);

    public Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct) => model.RerankAsync(request, ct);

    public ValueTask DisposeAsync() => model.DisposeAsync();

    /// <summary>Loads an embedder or a reranker (<paramref name="modelType"/> as the manifest says) in this process.</summary>
    public static async Task<IEmbeddingBackend> LoadAsync(string path, EngineOptions options, string modelType, CancellationToken ct)
    {
        var kind = modelType == ModelTypes.Reranker ? EmbeddingModelKind.Reranker : EmbeddingModelKind.Embedder;
        try
        {
            return new LocalEmbeddingBackend(await EmbeddingModel.LoadAsync(path, options, kind, ct));
        }
        catch (EngineException e)
        {
            throw new CliException(e.Message);
        }
    }
}
