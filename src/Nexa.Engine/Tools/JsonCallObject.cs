using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>Grammar pieces for the families that write a call as a JSON object with the name first.</summary>
internal static class JsonCallObject
{
    /// <summary>
    /// One rule per tool for the rest of the object after <c>"name":</c>: the quoted name, a comma, and
    /// <c>"<paramref name="argumentsKey"/>": </c> followed by arguments matching the tool's schema.
    /// </summary>
    public static IReadOnlyList<string> ToolRules(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, string argumentsKey)
    {
        var space = GbnfWriter.Space;
        var rules = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            var arguments = grammar.Schema(tools[i].ParametersJson);
            rules.Add(grammar.Rule(
                GbnfWriter.RuleName("tool-", i, tools[i].Name),
                $"{GbnfWriter.JsonStringLiteral(tools[i].Name)} {space} \",\" {space} {GbnfWriter.JsonStringLiteral(argumentsKey)} {space} \":\" {space} {arguments}"));
        }

        return rules;
    }

    /// <summary>A rule for a whole call object: <c>{"name": …, "arguments": …}</c>.</summary>
    public static string CallObject(GbnfWriter grammar, string name, IReadOnlyList<ChatTool> tools, string argumentsKey)
    {
        var space = GbnfWriter.Space;
        return grammar.Rule(name, $"\"{{\" {space} \"\\\"name\\\"\" {space} \":\" {space} ( {string.Join(" | ", ToolRules(grammar, tools, argumentsKey))} ) {space} \"}}\"");
    }
}
