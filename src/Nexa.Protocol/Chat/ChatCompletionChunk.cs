using System.Text.Json.Serialization;

namespace Nexa.Protocol.Chat;

/// <summary>One server-sent event of a streamed answer: OpenAI's <c>chat.completion.chunk</c> object.</summary>
public sealed record ChatCompletionChunk
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion.chunk";
    public required long Created { get; init; }
    public required string Model { get; init; }

    /// <summary>Empty in the usage chunk sent last when <c>stream_options.include_usage</c> is set.</summary>
    public required IReadOnlyList<ChunkChoice> Choices { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Usage? Usage { get; init; }

    /// <summary>Ours, as llama-server sends it on the last choice chunk: the engine's own timings.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Timings? Timings { get; init; }
}

/// <summary>llama-server's <c>timings</c> object: prompt (to the first token) and generation, measured in the engine.</summary>
public sealed record Timings(int PromptN, double PromptMs, int PredictedN, double PredictedMs, double PredictedPerSecond);

public sealed record ChunkChoice
{
    public int Index { get; init; }
    public required ChunkDelta Delta { get; init; }

    /// <summary>Null (written as null, as OpenAI does) until the last chunk of the choice.</summary>
    public string? FinishReason { get; init; }
}

public sealed record ChunkDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasoningContent { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallChunk>? ToolCalls { get; init; }
}
