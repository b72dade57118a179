using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Protocol.Rerank;

/// <summary>
/// The body of <c>POST /v1/rerank</c> in the Jina / Cohere shape that llama-server and LocalAI clients send:
/// <c>query</c>, <c>documents</c> (strings or <c>{"text": …}</c> objects), <c>top_n</c>, <c>return_documents</c>.
/// </summary>
public sealed record JinaRerankRequest
{
    public string? Model { get; init; }
    public string? Query { get; init; }
    public JsonElement? Documents { get; init; }
    public int? TopN { get; init; }
    public bool? ReturnDocuments { get; init; }
    public bool? Truncate { get; init; }
}

/// <summary>The answer: results sorted by relevance (highest first), cut to <c>top_n</c>.</summary>
public sealed record JinaRerankResponse
{
    public required string Model { get; init; }
    public string Object { get; init; } = "list";
    public required IReadOnlyList<JinaRerankResult> Results { get; init; }
    public required Embeddings.EmbeddingUsage Usage { get; init; }
}

public sealed record JinaRerankResult
{
    /// <summary>The document's position in the request.</summary>
    public required int Index { get; init; }

    /// <summary>The model's raw score (a logit, as llama-server returns it): higher is more relevant, not bounded to [0, 1].</summary>
    public required float RelevanceScore { get; init; }

    /// <summary>Only with <c>return_documents: true</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JinaRerankDocument? Document { get; init; }
}

public sealed record JinaRerankDocument(string Text);
