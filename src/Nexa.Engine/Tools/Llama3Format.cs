using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>Llama 3.1–3.3 (see <see cref="Llama3Parser"/>).</summary>
internal sealed class Llama3Format(bool pythonTag) : ToolCallFormat
{
    public override ToolCallFamily Family => ToolCallFamily.Llama3;

    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } = pythonTag
        ? [new("{\"name\"", IsSpecialToken: false, AtAnswerStartOnly: true), new("{\"type\"", IsSpecialToken: false, AtAnswerStartOnly: true), new(Llama3Parser.PythonTag, IsSpecialToken: true)]
        : [new("{\"name\"", IsSpecialToken: false, AtAnswerStartOnly: true), new("{\"type\"", IsSpecialToken: false, AtAnswerStartOnly: true)];

    public override IReadOnlyList<string> SpecialTokens { get; } = pythonTag ? [Llama3Parser.PythonTag] : [];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new Llama3Parser(pythonTag);

    /// <remarks>
    /// The JSON object, with "parameters" as the template shows it (the parser also reads "arguments"). After
    /// <c>&lt;|python_tag|&gt;</c> the grammar allows the same object; the built-in tools' <c>name.call(…)</c> form is
    /// read but not generated.
    /// </remarks>
    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        var space = GbnfWriter.Space;
        var call = Repeated("call", parallel);
        grammar.Rule("root", pythonTag ? $"{call} | {GbnfWriter.Literal(Llama3Parser.PythonTag)} call" : call);
        var rest = string.Join(" | ", JsonCallObject.ToolRules(grammar, tools, "parameters"));
        grammar.Rule("call", $"\"{{\" {space} ( \"\\\"type\\\"\" {space} \":\" {space} \"\\\"function\\\"\" {space} \",\" {space} )? \"\\\"name\\\"\" {space} \":\" {space} ( {rest} ) {space} \"}}\"");
    }
}
