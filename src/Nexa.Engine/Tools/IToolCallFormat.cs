using System.Text.Json;

using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>
/// One family's tool call markup: how to constrain a model to it and how to read it back. Found from the chat
/// template by <see cref="ToolCallFormats.Detect"/>.
/// </summary>
public interface IToolCallFormat
{
    ToolCallFamily Family { get; }

    /// <summary>The texts that open a call (a lazy grammar's trigger words), in the order the family prefers them.</summary>
    IReadOnlyList<ToolCallTrigger> Triggers { get; }

    /// <summary>
    /// Control tokens of this family's markup. The decoder must render these as text (llama.cpp's "preserved
    /// tokens") or the parser never sees the markup; every other control token may stay hidden.
    /// </summary>
    IReadOnlyList<string> SpecialTokens { get; }

    /// <summary>
    /// A GBNF grammar, rule <c>root</c>, for the markup of one call (several when <paramref name="parallel"/>) of one of
    /// <paramref name="tools"/>, its arguments matching the tool's JSON schema. It starts at a trigger, so it is meant
    /// to be applied lazily from there (or from the answer's start when a call is required).
    /// </summary>
    /// <param name="schemaToGbnf">
    /// The JSON Schema → GBNF converter: given a schema, a complete grammar whose <c>root</c> rule matches the JSON
    /// values valid against it. Its rules are renamed apart for each use, so helper rules of the same name never clash.
    /// </param>
    string BuildGrammar(IReadOnlyList<ChatTool> tools, Func<JsonElement, string> schemaToGbnf, bool parallel);

    /// <summary>A parser for one answer of a request that offered <paramref name="tools"/>.</summary>
    ToolCallStream CreateStream(IReadOnlyList<ChatTool> tools);
}
