using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>Hermes 2/3, Qwen 2.5 and Qwen3 (see <see cref="HermesParser"/>).</summary>
internal sealed class HermesFormat : ToolCallFormat
{
    public override ToolCallFamily Family => ToolCallFamily.Hermes;

    // <tool_call> is an added token that is not a control token: it is rendered like text.
    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } = [new(HermesParser.Open, IsSpecialToken: false)];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new HermesParser();

    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        grammar.Rule("root", Repeated("call", parallel));
        var space = GbnfWriter.Space;
        grammar.Rule("call", $"{GbnfWriter.Literal(HermesParser.Open)} \"\\n\"? \"{{\" {space} \"\\\"name\\\"\" {space} \":\" {space} ( {string.Join(" | ", JsonCallObject.ToolRules(grammar, tools, "arguments"))} ) {space} \"}}\" \"\\n\"? {GbnfWriter.Literal(HermesParser.Close)}");
    }
}
