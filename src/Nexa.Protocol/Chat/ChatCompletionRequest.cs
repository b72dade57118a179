using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Protocol.Chat;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>: OpenAI's fields plus the original Nexa SDK's <c>enable_think</c>.
/// Every field is optional on the wire so that a missing one is reported by name, not by the JSON reader.
/// </summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }
    public IReadOnlyList<RequestMessage>? Messages { get; init; }

    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }

    /// <summary>A string or a list of strings on the wire.</summary>
    [JsonConverter(typeof(StringOrListConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public double? RepetitionPenalty { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public long? Seed { get; init; }

    /// <summary>Token id (a decimal string, as OpenAI sends it) → bias from -100 to 100.</summary>
    public IReadOnlyDictionary<string, double>? LogitBias { get; init; }

    public bool? Stream { get; init; }
    public StreamOptions? StreamOptions { get; init; }

    /// <summary>The original Nexa SDK's switch for Qwen3-style thinking.</summary>
    public bool? EnableThink { get; init; }

    public bool? IgnoreEos { get; init; }

    /// <summary>
    /// The original client's load settings (GPU layers, context size). It sends them with its warm-up only, so they
    /// tell that warm-up from a stock client's system-only chat; their values are not used.
    /// </summary>
    public JsonElement? Ngl { get; init; }
    public JsonElement? Nctx { get; init; }

    /// <summary>The original's limit on an image's longer side, in pixels (larger images are shrunk; default 512).</summary>
    public int? ImageMaxLength { get; init; }
    public int? N { get; init; }
    public bool? Logprobs { get; init; }

    /// <summary><c>{"type":"text"|"json_object"|"json_schema", "json_schema":{name, schema, strict}}</c>; kept raw, checked by the server.</summary>
    public JsonElement? ResponseFormat { get; init; }

    public IReadOnlyList<ToolSpec?>? Tools { get; init; }

    /// <summary><c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or <c>{"type":"function","function":{"name":…}}</c>.</summary>
    public JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    /// <summary>llama-server's: a GBNF grammar the answer must match.</summary>
    public string? Grammar { get; init; }

    /// <summary>llama-server's: a JSON Schema the answer must match (as <c>response_format</c>'s json_schema).</summary>
    public JsonElement? JsonSchema { get; init; }

    /// <summary>llama-server's: extra variables for the chat template, e.g. <c>{"enable_thinking": false}</c>.</summary>
    public JsonElement? ChatTemplateKwargs { get; init; }
}

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}

/// <summary>One message of the conversation; <c>content</c> is a string or an array of parts.</summary>
public sealed record RequestMessage
{
    public string? Role { get; init; }
    public MessageContent? Content { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<RequestToolCall?>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
}

/// <summary>One part of a message's content: <c>{"type":"text","text":…}</c> or <c>{"type":"image_url","image_url":{"url":…}}</c>.</summary>
public sealed record ContentPart
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public ImageUrl? ImageUrl { get; init; }
}

public sealed record ImageUrl
{
    public string? Url { get; init; }
    public string? Detail { get; init; }
}
