namespace Nexa.Engine.Embeddings;

// The engine's own types for embeddings and reranking: no JSON, no HTTP. The server maps OpenAI / Jina / the
// original's bodies onto them, the runner carries them over gRPC, the embedding engine consumes them.

/// <summary>One input: text, or token ids the caller already has (OpenAI allows both).</summary>
public sealed record EmbeddingInput
{
    public string? Text { get; init; }
    public IReadOnlyList<int>? Tokens { get; init; }

    public static EmbeddingInput FromText(string text) => new() { Text = text };
    public static EmbeddingInput FromTokens(IReadOnlyList<int> tokens) => new() { Tokens = tokens };
}

/// <summary>The original's task types: which of the model's prefixes (if its metadata has them) go before the text.</summary>
public enum EmbeddingTask
{
    Default,
    SearchQuery,
    SearchDocument,
}

public sealed record EmbeddingRequest
{
    public required IReadOnlyList<EmbeddingInput> Inputs { get; init; }

    public EmbeddingTask Task { get; init; }

    /// <summary>Cut inputs longer than the model's context instead of refusing them (400 naming the input index).</summary>
    public bool Truncate { get; init; }

    /// <summary>Keep the first N dimensions and renormalise (models trained for it: Matryoshka); null: all.</summary>
    public int? Dimensions { get; init; }
}

/// <summary>Unit-length vectors in input order, and the tokens read.</summary>
public sealed record EmbeddingResult(IReadOnlyList<float[]> Vectors, int PromptTokens);

public sealed record RerankRequest
{
    public required string Query { get; init; }
    public required IReadOnlyList<string> Documents { get; init; }

    /// <summary>Documents per decode; null: as many as fit.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Cut query–document pairs longer than the context instead of refusing them.</summary>
    public bool Truncate { get; init; }
}

/// <summary>The model's raw relevance score (a logit) per document, in document order; normalisation is the caller's.</summary>
public sealed record RerankResult(IReadOnlyList<float> Scores, int PromptTokens);

/// <summary>What an embedding model is loaded for: vectors (an embedder) or relevance scores (a reranker).</summary>
public enum EmbeddingModelKind
{
    Embedder,
    Reranker,
}

/// <summary>How a sequence's token states become one vector (llama.cpp's <c>llama_pooling_type</c>, same numbers).</summary>
public enum EmbeddingPooling
{
    Mean = 1,
    Cls = 2,
    Last = 3,

    /// <summary>A classification head on the pooled state: one relevance score per sequence (rerankers).</summary>
    Rank = 4,
}

/// <summary>What a loaded embedding model or reranker tells about itself (see <c>TextModelInfo.Embedding</c>).</summary>
/// <param name="Dimensions">The length of the model's vectors (n_embd); <c>EmbeddingRequest.Dimensions</c> may ask for fewer.</param>
/// <param name="MaxInputTokens">The most tokens one input (or one query–document pair) may have.</param>
public sealed record EmbeddingModelInfo(EmbeddingModelKind Kind, int Dimensions, EmbeddingPooling Pooling, int MaxInputTokens);
