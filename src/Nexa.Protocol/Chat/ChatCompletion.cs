using System.Text.Json.Serialization;

namespace Nexa.Protocol.Chat;

/// <summary>A whole (non-streamed) answer: OpenAI's <c>chat.completion</c> object.</summary>
public sealed record ChatCompletion
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion";
    public required long Created { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<ChatChoice> Choices { get; init; }
    public required Usage Usage { get; init; }
}

public sealed record ChatChoice
{
    public int Index { get; init; }
    public required AssistantMessage Message { get; init; }

    /// <summary><c>stop</c>, <c>length</c> or <c>tool_calls</c>.</summary>
    public required string FinishReason { get; init; }
}

public sealed record AssistantMessage
{
    public string Role { get; init; } = "assistant";

    /// <summary>Null (written as null, as OpenAI does) when the answer is only tool calls.</summary>
    public required string? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallOut>? ToolCalls { get; init; }

    /// <summary>The thinking (text inside &lt;think&gt;…&lt;/think&gt;), when there was any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasoningContent { get; init; }
}

public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>OpenAI's <c>prompt_tokens_details.cached_tokens</c>: prompt tokens served from the prompt cache.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PromptTokensDetails? PromptTokensDetails { get; init; }
}

public sealed record PromptTokensDetails(int CachedTokens);
