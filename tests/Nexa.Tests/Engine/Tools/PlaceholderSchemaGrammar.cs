using System.Text.Json;

namespace Nexa.Tests.Engine.Tools;

/// <summary>
/// Stands in for the JSON Schema → GBNF converter in these tests: any JSON object, whatever the schema. Its helper
/// rules are named as a real converter's are (<c>space</c>, <c>string</c>), so a clash with the tool call rules
/// would show.
/// </summary>
internal static class PlaceholderSchemaGrammar
{
    public static string Convert(JsonElement schema) =>
        """
        root ::= "{" space ( string ":" space value ( "," space string ":" space value )* )? "}" space
        value ::= string | "-"? [0-9]{1,15} | "true" | "false" | "null" | root
        # a string without escapes is enough here
        string ::= "\"" [^"\\\x7F\x00-\x1F]* "\"" space
        space ::= | " " | "\n" [ \t]{0,20}
        """;
}
