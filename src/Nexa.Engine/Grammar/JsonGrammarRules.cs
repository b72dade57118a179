namespace Nexa.Engine.Grammar;

/// <summary>
/// The fixed rules every JSON grammar draws on. Whitespace between tokens is bounded (<c>ws</c>: nothing, one space,
/// or one newline and up to 20 spaces or tabs), and so are digits (16 before the point, 16 after, 3 in an exponent),
/// so a model can never pad or count forever.
/// </summary>
internal static class JsonGrammarRules
{
    /// <summary>Name → (body, the rules it uses).</summary>
    public static IReadOnlyDictionary<string, (string Body, string[] Uses)> All { get; } = new Dictionary<string, (string, string[])>
    {
        ["ws"] = ("| \" \" | \"\\n\" [ \\t]{0,20}", []),
        ["char"] = (JsonStringChars.AnyChar, []),
        ["string"] = ("\"\\\"\" char* \"\\\"\"", ["char"]),
        ["integer"] = ("\"0\" | \"-\"? [1-9] [0-9]{0,15}", []),
        ["number"] = ("\"-\"? (\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?", []),
        ["boolean"] = ("\"true\" | \"false\"", []),
        ["null"] = ("\"null\"", []),
        ["value"] = ("object | array | string | number | boolean | null", ["object", "array", "string", "number", "boolean", "null"]),
        ["object"] = ("\"{\" ws ( member ( \",\" ws member )* )? \"}\"", ["ws", "member"]),
        ["member"] = ("string ws \":\" ws value ws", ["string", "ws", "value"]),
        ["array"] = ("\"[\" ws ( value ws ( \",\" ws value ws )* )? \"]\"", ["ws", "value"]),
        ["date"] = ("[0-9]{4} \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )", []),
        ["time"] = ("( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,9} )? ( [zZ] | [+-] ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )", []),
        ["date-time"] = ("date [tT] time", ["date", "time"]),
        ["uuid"] = ("[0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12}", []),
    };

    /// <summary>The string formats the converter enforces (each a rule above, written inside the quotes).</summary>
    public static IReadOnlySet<string> Formats { get; } = new HashSet<string>(StringComparer.Ordinal) { "date", "time", "date-time", "uuid" };
}
