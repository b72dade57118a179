using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>DeepSeek R1/V3 and V3.1 (see <see cref="DeepSeekParser"/>).</summary>
/// <param name="fencedArguments">R1/V3's "function&lt;｜tool▁sep｜&gt;NAME\n```json\n{…}\n```"; else V3.1's "NAME&lt;｜tool▁sep｜&gt;{…}".</param>
internal sealed class DeepSeekFormat(bool fencedArguments) : ToolCallFormat
{
    public override ToolCallFamily Family => ToolCallFamily.DeepSeek;

    // Added tokens but not control tokens: rendered like text (each is 28 UTF-8 bytes, though).
    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } =
        [.. DeepSeekParser.CallsBeginVariants.Select(v => new ToolCallTrigger(v, IsSpecialToken: false))];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new DeepSeekParser();

    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        var begins = string.Join(" | ", DeepSeekParser.CallsBeginVariants.Select(GbnfWriter.Literal));
        grammar.Rule("root", $"( {begins} ) {(parallel ? "call+" : "call")} {GbnfWriter.Literal(DeepSeekParser.CallsEnd)}");
        var alternatives = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            var arguments = grammar.Schema(tools[i].ParametersJson);
            var body = fencedArguments
                ? $"{GbnfWriter.Literal(DeepSeekParser.FunctionType + DeepSeekParser.Separator + tools[i].Name + "\n```json\n")} {arguments} {GbnfWriter.Literal("\n```")}"
                : $"{GbnfWriter.Literal(tools[i].Name + DeepSeekParser.Separator)} {arguments}";
            alternatives.Add(grammar.Rule(GbnfWriter.RuleName("tool-", i, tools[i].Name), body));
        }

        grammar.Rule("call", $"{GbnfWriter.Literal(DeepSeekParser.CallBegin)} ( {string.Join(" | ", alternatives)} ) {GbnfWriter.Literal(DeepSeekParser.CallEnd)} \"\\n\"?");
    }
}
