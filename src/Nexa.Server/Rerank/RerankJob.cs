using Nexa.Engine.Embeddings;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Rerank;

/// <summary>A validated rerank request (either route): the engine's job plus what only the HTTP side needs.</summary>
internal sealed record RerankJob : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.Rerank);

    /// <summary>The model string as the client wrote it.</summary>
    public required string Model { get; init; }

    public required RerankRequest Request { get; init; }

    /// <summary><c>/v1/reranking</c>: how the answered scores are normalised.</summary>
    public ScoreNormalization Normalization { get; init; }

    /// <summary><c>/v1/rerank</c>: how many results to answer (all when null).</summary>
    public int? TopN { get; init; }

    /// <summary><c>/v1/rerank</c>: echo each document's text in its result.</summary>
    public bool ReturnDocuments { get; init; }

    /// <summary><c>/v1/reranking</c> with neither query nor documents: the original's warm-up.</summary>
    public bool IsWarmUp { get; init; }
}
