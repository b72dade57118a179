using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>gpt-oss's harmony format (see <see cref="GptOssParser"/>).</summary>
internal sealed class GptOssFormat : ToolCallFormat
{
    private const string ToFunctions = GptOssParser.Recipient + GptOssParser.FunctionsPrefix;

    public override ToolCallFamily Family => ToolCallFamily.GptOss;

    // The recipient may come after the channel or, right after the prompt's "<|start|>assistant", before it.
    public override IReadOnlyList<ToolCallTrigger> Triggers { get; } =
    [
        new(GptOssParser.Channel + "commentary" + ToFunctions, IsSpecialToken: true),
        new(GptOssParser.Channel + "analysis" + ToFunctions, IsSpecialToken: true),
        new(GptOssParser.Start + "assistant" + ToFunctions, IsSpecialToken: true),
        new(ToFunctions, IsSpecialToken: false, AtAnswerStartOnly: true),
    ];

    public override IReadOnlyList<string> SpecialTokens { get; } =
        [GptOssParser.Start, GptOssParser.Channel, GptOssParser.Message, GptOssParser.Constrain, GptOssParser.End, GptOssParser.Call, GptOssParser.Return];

    internal override ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools) => new GptOssParser();

    /// <remarks>
    /// One call: its message ends with &lt;|call|&gt;, an end-of-generation token, so a turn never holds two and
    /// <c>parallel</c> changes nothing.
    /// </remarks>
    protected override void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel)
    {
        var channel = $"{GbnfWriter.Literal(GptOssParser.Channel)} ( \"commentary\" | \"analysis\" )";
        var constrain = $"( {GbnfWriter.Literal(" " + GptOssParser.Constrain + "json")} | \" json\" )?";
        var message = GbnfWriter.Literal(GptOssParser.Message);
        var toFunctions = GbnfWriter.Literal(ToFunctions);
        var inRole = tools.Select((tool, i) => GbnfWriter.RuleName("role-", i, tool.Name)).ToList();
        var inChannel = tools.Select((tool, i) => GbnfWriter.RuleName("channel-", i, tool.Name)).ToList();
        grammar.Rule("root", "recipient-in-role | recipient-in-channel");
        grammar.Rule("recipient-in-role", $"{GbnfWriter.Literal(GptOssParser.Start + "assistant")}? {toFunctions} ( {string.Join(" | ", inRole)} )");
        grammar.Rule("recipient-in-channel", $"{channel} {toFunctions} ( {string.Join(" | ", inChannel)} )");
        for (var i = 0; i < tools.Count; i++)
        {
            var name = GbnfWriter.Literal(tools[i].Name);
            var arguments = grammar.Schema(tools[i].ParametersJson);
            grammar.Rule(inRole[i], $"{name} {channel} {constrain} {message} {arguments}");
            grammar.Rule(inChannel[i], $"{name} {constrain} {message} {arguments}");
        }
    }
}
