using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

// The engine's own types for tool calling. No OpenAI JSON: the server maps these onto its wire records. They live
// in the contracts assembly because they cross the line between the server and the runner.

/// <summary>
/// A function the model may call. <paramref name="ParametersSchema"/> is the JSON Schema of its arguments as JSON
/// text (OpenAI's <c>function.parameters</c>); null or empty when the function takes no arguments.
/// </summary>
public sealed record ToolDefinition(string Name, string? Description, string? ParametersSchema);

/// <summary>
/// One streamed piece of tool call <paramref name="Index"/>, in OpenAI's streaming delta shape: the first delta of a
/// call carries its <paramref name="Id"/> and <paramref name="Name"/> (and an empty <paramref name="ArgumentsPiece"/>);
/// later ones carry only text to append to its arguments. The pieces of a call, joined, are its arguments JSON.
/// </summary>
public sealed record ToolCallDelta(int Index, string? Id, string? Name, string ArgumentsPiece) : GenerationEvent;

/// <summary>
/// One finished tool call. <see cref="ArgumentsJson"/> is exactly the call's streamed pieces joined. It is valid JSON
/// unless <see cref="IsComplete"/> is false: the answer ended (for example at the token limit) or broke off after
/// the call had started, and the arguments are what the model wrote up to there (as OpenAI returns them).
/// </summary>
public sealed record ParsedToolCall(string Id, string Name, string ArgumentsJson)
{
    public bool IsComplete { get; init; } = true;
}

/// <summary>A whole answer once parsed for tool calls: what a non-streaming response carries.</summary>
public sealed record ToolCallAnswer(string Content, string Reasoning, IReadOnlyList<ParsedToolCall> Calls)
{
    /// <summary>The model called at least one tool: OpenAI's <c>finish_reason</c> is <c>tool_calls</c> (unless the token limit cut it).</summary>
    public bool HasToolCalls => Calls.Count > 0;
}
