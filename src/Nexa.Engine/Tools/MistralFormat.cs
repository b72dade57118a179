using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>Mistral's two markups (see <see cref="MistralParser"/>); the grammar follows the family the template showed.</summary>
internal sealed class MistralFormat(ToolCallFamily family, bool withCallId, bool thinking) : ToolCallFormat
{
    public override ToolCallFamily Family => family;

    // [TOOL_CALLS], [ARGS], [CALL_ID], [THINK] are control tokens: the decoder must render them.
    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } = [new(MistralParser.CallsOpen, IsSpecialToken: true)];

    public override IReadOnlyList<string> SpecialTokens { get; } = family == ToolCallFamily.MistralNameArgs
        ? [MistralParser.CallsOpen, MistralParser.ArgsMarker, MistralParser.CallIdMarker, MistralParser.ThinkOpen, MistralParser.ThinkClose]
        : [MistralParser.CallsOpen, MistralParser.ThinkOpen, MistralParser.ThinkClose];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new MistralParser(thinking);

    protected override string NewCallId() => NineCharacterId();

    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        var open = GbnfWriter.Literal(MistralParser.CallsOpen);
        var space = GbnfWriter.Space;
        if (family == ToolCallFamily.MistralJsonArray)
        {
            grammar.Rule("root", $"{open} {space} \"[\" {space} {(parallel ? $"call ( \",\" {space} call )*" : "call")} {space} \"]\"");
            JsonCallObject.CallObject(grammar, "call", tools, "arguments");
            return;
        }

        grammar.Rule("root", parallel ? "call+" : "call");
        var callId = withCallId ? $"( {GbnfWriter.Literal(MistralParser.CallIdMarker)} [a-zA-Z0-9]{{9}} )? " : "";
        var alternatives = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            var arguments = grammar.Schema(tools[i].ParametersJson);
            alternatives.Add(grammar.Rule(
                GbnfWriter.RuleName("tool-", i, tools[i].Name),
                $"{GbnfWriter.Literal(tools[i].Name)} {callId}{GbnfWriter.Literal(MistralParser.ArgsMarker)} {arguments}"));
        }

        grammar.Rule("call", $"{open} ( {string.Join(" | ", alternatives)} )");
    }
}
