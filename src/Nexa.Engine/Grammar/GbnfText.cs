using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>Writes GBNF terminals.</summary>
internal static class GbnfText
{
    /// <summary>A GBNF string literal matching <paramref name="text"/> exactly.</summary>
    public static string Literal(string text)
    {
        var result = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    result.Append("\\\"");
                    break;
                case '\\':
                    result.Append("\\\\");
                    break;
                case '\n':
                    result.Append("\\n");
                    break;
                case '\r':
                    result.Append("\\r");
                    break;
                case '\t':
                    result.Append("\\t");
                    break;
                case < 0x20 or 0x7F:
                    result.Append($"\\x{rune.Value:X2}");
                    break;
                default:
                    result.Append(rune.ToString());
                    break;
            }
        }

        return result.Append('"').ToString();
    }
}
