using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>Qwen3-Coder's XML-style calls (see <see cref="Qwen3CoderParser"/>).</summary>
internal sealed class Qwen3CoderFormat : ToolCallFormat
{
    private const string ParameterEnd = "\n</parameter>\n";

    public override ToolCallFamily Family => ToolCallFamily.Qwen3Coder;

    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } = [new(HermesParser.Open, IsSpecialToken: false)];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new Qwen3CoderParser(tools);

    /// <remarks>
    /// Parameters come in schema order, each required one once and each optional one at most once. A string
    /// parameter is free text up to its closing tag; any other is JSON matching its own schema.
    /// </remarks>
    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        grammar.Rule("root", Repeated("call", parallel));
        var functions = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            functions.Add(GbnfWriter.RuleName("function-", i, tools[i].Name));
        }

        grammar.Rule("call", $"{GbnfWriter.Literal(HermesParser.Open + "\n")} ( {string.Join(" | ", functions)} ) {GbnfWriter.Literal(HermesParser.Close)}");
        var text = grammar.TextUntil("parameter-text", ParameterEnd);
        for (var i = 0; i < tools.Count; i++)
        {
            var parameters = ToolParameters.Of(tools[i]);
            var body = new List<string>();
            foreach (var parameter in parameters)
            {
                var value = parameter.Kind == ParameterKind.String ? text : grammar.Schema(parameter.Schema);
                var rule = $"{GbnfWriter.Literal($"{Qwen3CoderParser.ParameterOpen}{parameter.Name}>\n")} {value} {GbnfWriter.Literal(ParameterEnd)}";
                body.Add(parameter.Required ? $"( {rule} )" : $"( {rule} )?");
            }

            if (parameters.Count == 0)
            {
                // No parameters declared: any, as text.
                body.Add($"( {GbnfWriter.Literal(Qwen3CoderParser.ParameterOpen)} [^>\\n]+ \">\\n\" {text} {GbnfWriter.Literal(ParameterEnd)} )*");
            }

            grammar.Rule(functions[i], $"{GbnfWriter.Literal($"{Qwen3CoderParser.FunctionOpen}{tools[i].Name}>\n")} {string.Join(" ", body)} {GbnfWriter.Literal("</function>\n")}");
        }
    }
}
