using System.Text.Json.Serialization;

namespace Nexa.Protocol.Images;

/// <summary>OpenAI's answer to an image generation: when, and one item per image.</summary>
public sealed record ImagesResponse
{
    /// <summary>Unix seconds.</summary>
    public long Created { get; init; }

    public required IReadOnlyList<ImageItem> Data { get; init; }
}

/// <summary>One image: a URL to fetch it (served by this server, expiring) or its PNG bytes in base64.</summary>
public sealed record ImageItem
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    /// <summary>Plain base64 of the PNG, no <c>data:</c> prefix (as OpenAI).</summary>
    [JsonPropertyName("b64_json")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? B64Json { get; init; }

    /// <summary>Never set: the prompt is used as given (OpenAI sets it when DALL·E 3 rewrites a prompt).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RevisedPrompt { get; init; }
}
