using System.Text.Json;

namespace Nexa.Protocol.Rerank;

/// <summary>
/// The body of the original Nexa SDK's <c>POST /v1/reranking</c>: <c>query</c>, <c>documents</c>, <c>batch_size</c>,
/// <c>normalize</c>, <c>normalize_method</c>; plus our <c>truncate</c>.
/// </summary>
public sealed record RerankingRequest
{
    public string? Model { get; init; }
    public string? Query { get; init; }

    /// <summary>Strings (or <c>{"text": …}</c> objects); kept raw so that a bad item is named by its index.</summary>
    public JsonElement? Documents { get; init; }

    public int? BatchSize { get; init; }
    public bool? Normalize { get; init; }

    /// <summary><c>softmax</c>, <c>linear</c> (also spelled <c>min-max</c>, as the original's engine does) or <c>none</c>.</summary>
    public string? NormalizeMethod { get; init; }

    public bool? Truncate { get; init; }
}

/// <summary>The original's answer: one score per document, in document order.</summary>
public sealed record RerankingResponse(IReadOnlyList<float> Result);
