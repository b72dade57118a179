using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Protocol.Chat;

/// <summary>One entry of a request's <c>tools</c>: <c>{"type":"function","function":{name, description, parameters, strict}}</c>.</summary>
public sealed record ToolSpec
{
    public string? Type { get; init; }
    public FunctionSpec? Function { get; init; }
}

public sealed record FunctionSpec
{
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The arguments' JSON Schema (absent: no arguments).</summary>
    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }
}

/// <summary>A tool call in an assistant message, as the client sends the conversation back.</summary>
public sealed record RequestToolCall
{
    public string? Id { get; init; }
    public string? Type { get; init; }
    public RequestFunctionCall? Function { get; init; }
}

public sealed record RequestFunctionCall
{
    public string? Name { get; init; }

    /// <summary>A JSON text in a string, as OpenAI sends it (an object is taken too).</summary>
    public JsonElement? Arguments { get; init; }
}

/// <summary>A call in an answer: OpenAI's <c>{"id","type":"function","function":{"name","arguments"}}</c>.</summary>
public sealed record ToolCallOut(string Id, FunctionCallOut Function)
{
    public string Type { get; init; } = "function";
}

public sealed record FunctionCallOut(string Name, string Arguments);

/// <summary>A piece of a call in a streamed answer: id, type and name once, then argument text.</summary>
public sealed record ToolCallChunk
{
    public int Index { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    public required FunctionCallChunk Function { get; init; }
}

public sealed record FunctionCallChunk
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    public string Arguments { get; init; } = "";
}
