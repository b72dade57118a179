using System.Text;
using System.Text.Json;

namespace Nexa.Engine.Tools;

/// <summary>
/// Builds a GBNF grammar for tool call markup: the family's own rules, plus one embedded grammar per arguments
/// schema from the JSON Schema converter, its rules renamed apart (<c>s0-…</c>, <c>s1-…</c>) so helpers of the same
/// name in two schemas never clash.
/// </summary>
internal sealed class GbnfWriter(Func<JsonElement, string> schemaToGbnf)
{
    /// <summary>Whitespace between markup pieces, bounded so that a model cannot pad forever.</summary>
    public const string Space = "space";

    private static readonly JsonElement AnyObject = JsonDocument.Parse("""{"type": "object"}""").RootElement.Clone();

    private readonly List<string> _rules = [];
    private readonly StringBuilder _embedded = new();
    private int _schemas;

    /// <summary>Adds <c>name ::= body</c> and returns the name.</summary>
    public string Rule(string name, string body)
    {
        _rules.Add($"{name} ::= {body}");
        return name;
    }

    /// <summary>Embeds the grammar of a JSON schema (JSON text; any object when null or empty) and returns its root rule's name.</summary>
    public string Schema(string? schemaJson)
    {
        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            return Schema(AnyObject);
        }

        using var document = JsonDocument.Parse(schemaJson);
        return Schema(document.RootElement);
    }

    public string Schema(JsonElement schema)
    {
        var prefix = $"s{_schemas++}-";
        _embedded.Append(Prefixed(schemaToGbnf(schema), prefix)).Append('\n');
        return prefix + "root";
    }

    /// <summary>The grammar: the family's rules (the first is <c>root</c>), the shared whitespace rule, then the embedded ones.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        foreach (var rule in _rules)
        {
            text.Append(rule).Append('\n');
        }

        text.Append(Space).Append(" ::= | \" \" | \"\\n\" | \"\\n\\n\"\n");
        return text.Append(_embedded).ToString();
    }

    /// <summary>A GBNF string literal matching exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in text)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return literal.Append('"').ToString();
    }

    /// <summary>A GBNF literal matching <paramref name="text"/> written as a JSON string (quotes and escapes included).</summary>
    public static string JsonStringLiteral(string text) => Literal(JsonSerializer.Serialize(text));

    /// <summary>A rule name (letters, digits and dashes only) made from a tool name, unique by its index.</summary>
    public static string RuleName(string prefix, int index, string toolName)
    {
        var name = new StringBuilder(prefix).Append(index).Append('-');
        foreach (var c in toolName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        return name.ToString();
    }

    /// <summary>
    /// A rule matching any text that does not contain <paramref name="end"/> (close enough: a text that repeats the
    /// end's first character just before it may be refused). The text is then closed by the end itself.
    /// </summary>
    public string TextUntil(string name, string end)
    {
        var alternatives = new List<string>();
        for (var i = 0; i < end.Length; i++)
        {
            var head = i == 0 ? "" : Literal(end[..i]) + " ";
            alternatives.Add(head + "[^" + ClassCharacter(end[i]) + "]");
        }

        return Rule(name, "( " + string.Join(" | ", alternatives) + " )*");
    }

    private static string ClassCharacter(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        ']' or '\\' or '^' or '-' => "\\" + c,
        _ => c.ToString(),
    };

    /// <summary>Prefixes every rule name in <paramref name="grammar"/> (definitions and references), leaving literals, classes and comments alone.</summary>
    internal static string Prefixed(string grammar, string prefix)
    {
        var output = new StringBuilder(grammar.Length + 256);
        var i = 0;
        while (i < grammar.Length)
        {
            var c = grammar[i];
            int end;
            switch (c)
            {
                case '"':
                    end = SkipQuoted(grammar, i, '"');
                    break;
                case '[':
                    end = SkipQuoted(grammar, i, ']');
                    break;
                case '{':
                    end = SkipTo(grammar, i, '}');
                    break;
                case '<':
                    end = SkipTo(grammar, i, '>');
                    break;
                case '#':
                    end = SkipTo(grammar, i, '\n');
                    break;
                default:
                    if (IsNameCharacter(c))
                    {
                        end = i;
                        while (end < grammar.Length && IsNameCharacter(grammar[end]))
                        {
                            end++;
                        }

                        output.Append(prefix);
                    }
                    else
                    {
                        end = i + 1;
                    }

                    break;
            }

            output.Append(grammar, i, end - i);
            i = end;
        }

        return output.ToString();
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>The index just after the closing <paramref name="close"/> of a literal or class opening at <paramref name="start"/>.</summary>
    private static int SkipQuoted(string text, int start, char close)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == close)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    private static int SkipTo(string text, int start, char close)
    {
        var at = text.IndexOf(close, start + 1);
        return at < 0 ? text.Length : at + 1;
    }
}
