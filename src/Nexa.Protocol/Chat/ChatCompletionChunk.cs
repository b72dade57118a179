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
}

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
}
