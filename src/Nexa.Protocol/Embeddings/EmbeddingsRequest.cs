using System.Text.Json;

namespace Nexa.Protocol.Embeddings;

/// <summary>
/// The body of <c>POST /v1/embeddings</c>: OpenAI's fields, the original Nexa SDK's <c>task_type</c>, and our
/// <c>truncate</c>. Every field is optional on the wire so that a missing one is reported by name.
/// </summary>
public sealed record EmbeddingsRequest
{
    public string? Model { get; init; }

    /// <summary>A string, a list of strings, a list of token ids, or a list of lists of token ids; kept raw so that a bad item is named by its index.</summary>
    public JsonElement? Input { get; init; }

    /// <summary><c>float</c> (the default) or <c>base64</c> (little-endian float32 bytes).</summary>
    public string? EncodingFormat { get; init; }

    public int? Dimensions { get; init; }

    /// <summary>The original's <c>default</c>, <c>search_query</c> or <c>search_document</c>.</summary>
    public string? TaskType { get; init; }

    /// <summary>Ours: cut inputs longer than the context instead of refusing them.</summary>
    public bool? Truncate { get; init; }

    /// <summary>OpenAI's end-user id: accepted and ignored.</summary>
    public string? User { get; init; }
}
