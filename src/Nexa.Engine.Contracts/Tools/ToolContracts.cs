namespace Nexa.Engine.Tools;

// The engine's own types for tool calling. No OpenAI JSON: the server maps these onto its wire records. They live
// in the contracts assembly because they cross the line between the server and the runner.

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
