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
