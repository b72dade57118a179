namespace Nexa.Engine.Grammar;

/// <summary>
/// Characters inside a JSON string, written as JSON writes them: most as themselves; the quote, the backslash and
/// control characters only as escapes. A set of decoded characters becomes GBNF for their encoded forms.
/// </summary>
internal static class JsonStringChars
{
    private static readonly CharSet Controls = CharSet.Range(0, 0x1F);
    private static readonly CharSet Surrogates = CharSet.Range(0xD800, 0xDFFF);
    private static readonly CharSet NeedEscape = Controls.Union(CharSet.Of('"', '\\'));

    /// <summary>
    /// Any character of a JSON string, in any encoding JSON allows. Written as positive ranges up to U+10FFFF without
    /// surrogates: llama.cpp decodes byte tokens without checking, so a negated class would let a model write byte
    /// sequences that are not UTF-8 (e.g. F4 BA AE 93) and count them as one character.
    /// </summary>
    public const string AnyChar = "[\\x20-\\x21\\x23-\\x5B\\x5D-\\uD7FF\\uE000-\\U0010FFFF] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})";

    /// <summary>GBNF matching one JSON-encoded character of <paramref name="set"/> (alternatives, not grouped).</summary>
    public static string Expression(CharSet set)
    {
        var alternatives = new List<string>();
        var raw = set.Minus(NeedEscape).Minus(Surrogates);
        if (!raw.IsEmpty)
        {
            alternatives.Add(raw.ToGbnfClass());
        }

        if (set.Contains('"'))
        {
            alternatives.Add("\"\\\\\\\"\"");
        }

        if (set.Contains('\\'))
        {
            alternatives.Add("\"\\\\\\\\\"");
        }

        var controls = set.Intersect(Controls);
        if (controls.Ranges.Count == 1 && controls.Ranges[0] == (0, 0x1F))
        {
            alternatives.Add("\"\\\\\" [bfnrt]");
            alternatives.Add("\"\\\\u00\" [01] [0-9a-fA-F]");
        }
        else
        {
            foreach (var (low, high) in controls.Ranges)
            {
                for (var c = low; c <= high; c++)
                {
                    alternatives.Add(Control(c));
                }
            }
        }

        return alternatives.Count == 0
            ? throw new ArgumentException("an empty set of characters matches nothing", nameof(set))
            : string.Join(" | ", alternatives);
    }

    private static string Control(int c) => c switch
    {
        '\b' => "\"\\\\b\"",
        '\f' => "\"\\\\f\"",
        '\n' => "\"\\\\n\"",
        '\r' => "\"\\\\r\"",
        '\t' => "\"\\\\t\"",
        _ => $"\"\\\\u{c:x4}\"",
    };
}
