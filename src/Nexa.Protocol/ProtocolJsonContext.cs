using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nexa.Protocol.Chat;
using Nexa.Protocol.Embeddings;
using Nexa.Protocol.Images;
using Nexa.Protocol.Models;
using Nexa.Protocol.Rerank;

namespace Nexa.Protocol;

/// <summary>The one source-generated JSON context for every wire type: snake_case names, numbers strictly as numbers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(IReadOnlyList<ContentPart>))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ApplyTemplateResponse))]
[JsonSerializable(typeof(EmbeddingsRequest))]
[JsonSerializable(typeof(EmbeddingList))]
[JsonSerializable(typeof(RerankingRequest))]
[JsonSerializable(typeof(RerankingResponse))]
[JsonSerializable(typeof(JinaRerankRequest))]
[JsonSerializable(typeof(JinaRerankResponse))]
[JsonSerializable(typeof(ImagesRequest))]
[JsonSerializable(typeof(ImagesResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelCard))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(Tokens.TokenizeBody))]
[JsonSerializable(typeof(Tokens.TokenizeResponse))]
[JsonSerializable(typeof(Tokens.DetokenizeBody))]
[JsonSerializable(typeof(Tokens.DetokenizeResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext
{
    /// <summary>
    /// <see cref="Default"/>, writing text as OpenAI does: quotes and non-ASCII characters as themselves rather than
    /// <c>\uXXXX</c> escapes (JSON bodies are never embedded in HTML here, so HTML-safe escaping only costs bytes).
    /// </summary>
    public static ProtocolJsonContext Wire =>
        field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
