using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>The JSON fallback for templates of no known family (see <see cref="GenericJsonParser"/>).</summary>
internal sealed class GenericJsonFormat : ToolCallFormat
{
    public override ToolCallFamily Family => ToolCallFamily.GenericJson;

    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } =
    [
        new("{\"" + GenericJsonParser.ListKey + "\"", IsSpecialToken: false, AtAnswerStartOnly: true),
        new("{\"name\"", IsSpecialToken: false, AtAnswerStartOnly: true),
    ];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new GenericJsonParser();

    /// <remarks>A model of no family was not trained on any markup, so the grammar is what teaches it the shape: apply it from the answer's start when a call is required.</remarks>
    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        var space = GbnfWriter.Space;
        var calls = parallel ? $"call ( \",\" {space} call )*" : "call";
        grammar.Rule("root", $"\"{{\" {space} {GbnfWriter.JsonStringLiteral(GenericJsonParser.ListKey)} {space} \":\" {space} \"[\" {space} {calls} {space} \"]\" {space} \"}}\" | call");
        JsonCallObject.CallObject(grammar, "call", tools, "arguments");
    }
}
