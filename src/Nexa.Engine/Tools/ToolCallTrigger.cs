namespace Nexa.Engine.Tools;

/// <summary>
/// Text that opens a call in a family's markup: where a lazy grammar starts constraining the answer (the grammar
/// from <see cref="IToolCallFormat.BuildGrammar"/> begins with this very text).
/// </summary>
/// <param name="Text">The opening text as the model writes it.</param>
/// <param name="IsSpecialToken">It begins with a control token (such as <c>[TOOL_CALLS]</c>), which the decoder must render for it to be seen.</param>
/// <param name="AtAnswerStartOnly">It opens a call only as the first thing in the answer (Llama 3's bare JSON): a lazy grammar should match it there only.</param>
public sealed record ToolCallTrigger(string Text, bool IsSpecialToken, bool AtAnswerStartOnly = false);
