namespace Nexa.Engine.Text;

// Tools and structured output, as the engine takes them: plain records with JSON kept as text (the engine parses
// schemas itself; no OpenAI JSON types cross this line).

/// <summary>A function the model may call.</summary>
/// <param name="ParametersJson">The JSON Schema of its arguments, as JSON text (<c>{}</c>: any object).</param>
public sealed record ChatTool(string Name, string? Description, string ParametersJson);

public enum ToolChoiceMode
{
    /// <summary>The model decides: text, or calls of the offered tools (constrained once a call opens).</summary>
    Auto,

    /// <summary>No call: the tools are still shown to the template, but the answer is text.</summary>
    None,

    /// <summary>At least one call of an offered tool, constrained from the first token.</summary>
    Required,

    /// <summary>A call of the one named tool, constrained from the first token.</summary>
    Named,
}

/// <param name="Name">The tool a <see cref="ToolChoiceMode.Named"/> choice forces.</param>
public sealed record ToolChoice(ToolChoiceMode Mode, string? Name = null)
{
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);
}

/// <summary>A call the model made (in an answer) or made earlier (in an assistant message of the conversation).</summary>
/// <param name="ArgumentsJson">The arguments as a JSON text (OpenAI sends and expects a string).</param>
public sealed record ChatToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>
/// A piece of tool call <paramref name="Index"/> while the answer streams, in OpenAI's delta shape: the first piece of a
/// call carries its <paramref name="Id"/> and <paramref name="Name"/>, later ones only more argument text.
/// </summary>
public sealed record ToolCallDelta(int Index, string? Id, string? Name, string Arguments) : GenerationEvent;
