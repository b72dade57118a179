using System.Globalization;
using System.Numerics;
using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>
/// GBNF for the decimal integers in a range, digit by digit (no leading zeros, no "-0"). An open end is bounded in
/// digits instead (<see cref="MaxDigits"/>), so the model cannot write digits forever.
/// </summary>
internal static class IntegerRange
{
    /// <summary>Most digits of an integer with no upper bound (as llama.cpp's converter: 16).</summary>
    public const int MaxDigits = 16;

    public static string Expression(BigInteger? min, BigInteger? max)
    {
        var alternatives = new List<string>();
        // Negative part: -x for x in [max(1, -max), -min].
        if (min is null || min < 0)
        {
            var low = max is null || max >= 0 ? BigInteger.One : -max.Value;
            alternatives.Add($"\"-\" {Group(NonNegative(low, min is null ? null : -min.Value))}");
        }

        if (max is null || max >= 0)
        {
            var low = min is null || min < 0 ? BigInteger.Zero : min.Value;
            alternatives.Add(NonNegative(low, max));
        }

        return string.Join(" | ", alternatives);
    }

    private static string Group(string expression) => expression.Contains('|', StringComparison.Ordinal) ? $"({expression})" : expression;

    // The integers in [low, high] (high null: up to MaxDigits digits, or low's digit count if it has more).
    private static string NonNegative(BigInteger low, BigInteger? high)
    {
        var alternatives = new List<string>();
        var lowText = Digits(low);
        if (high is null)
        {
            var length = lowText.Length;
            alternatives.Add(SameLength(lowText, new string('9', length)));
            if (length < MaxDigits)
            {
                alternatives.Add($"[1-9] [0-9]{{{length},{MaxDigits - 1}}}");
            }

            return string.Join(" | ", alternatives);
        }

        var highText = Digits(high.Value);
        for (var length = lowText.Length; length <= highText.Length; length++)
        {
            var from = length == lowText.Length ? lowText : "1" + new string('0', length - 1);
            var to = length == highText.Length ? highText : new string('9', length);
            alternatives.Add(SameLength(from, to));
        }

        return string.Join(" | ", alternatives);
    }

    private static string Digits(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    // Strings of equal length from..to (from <= to), as a sequence of digit classes split at the first differing digit.
    private static string SameLength(string from, string to)
    {
        if (from.Length == 0)
        {
            return "";
        }

        var common = 0;
        while (common < from.Length && from[common] == to[common])
        {
            common++;
        }

        var text = new StringBuilder();
        if (common > 0)
        {
            text.Append('"').Append(from, 0, common).Append('"');
        }

        if (common == from.Length)
        {
            return text.ToString();
        }

        var rest = from.Length - common - 1;
        var a = from[common];
        var b = to[common];
        var fromRest = from[(common + 1)..];
        var toRest = to[(common + 1)..];
        var zeros = new string('0', rest);
        var nines = new string('9', rest);
        var parts = new List<string>();
        if (fromRest == zeros && toRest == nines)
        {
            parts.Add(Seq(Class(a, b), AnyDigits(rest)));
        }
        else
        {
            var middleLow = a;
            var middleHigh = b;
            if (fromRest != zeros)
            {
                parts.Add(Seq($"\"{a}\"", Group(SameLength(fromRest, nines))));
                middleLow = (char)(a + 1);
            }

            if (toRest != nines)
            {
                middleHigh = (char)(b - 1);
            }

            if (middleLow <= middleHigh)
            {
                parts.Add(Seq(Class(middleLow, middleHigh), AnyDigits(rest)));
            }

            if (toRest != nines)
            {
                parts.Add(Seq($"\"{b}\"", Group(SameLength(zeros, toRest))));
            }
        }

        var choice = parts.Count == 1 ? parts[0] : $"({string.Join(" | ", parts)})";
        return common > 0 ? $"{text} {choice}" : choice;
    }

    private static string Seq(string first, string second) => second.Length == 0 ? first : $"{first} {second}";

    private static string Class(char a, char b) => a == b ? $"\"{a}\"" : $"[{a}-{b}]";

    private static string AnyDigits(int count) => count switch
    {
        0 => "",
        1 => "[0-9]",
        _ => $"[0-9]{{{count}}}",
    };
}
