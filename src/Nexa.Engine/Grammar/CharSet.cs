using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>A set of Unicode code points as sorted, disjoint, inclusive ranges (for regex classes and JSON string characters).</summary>
internal sealed class CharSet
{
    public const int MaxCodePoint = 0x10FFFF;

    private readonly List<(int Low, int High)> _ranges;

    private CharSet(List<(int Low, int High)> ranges) => _ranges = ranges;

    public static CharSet Empty => new([]);

    public static CharSet All => Range(0, MaxCodePoint);

    public IReadOnlyList<(int Low, int High)> Ranges => _ranges;

    public bool IsEmpty => _ranges.Count == 0;

    public static CharSet Of(params int[] chars) => Of(chars.Select(c => (c, c)));

    public static CharSet Range(int low, int high) => Of([(low, high)]);

    public static CharSet Of(IEnumerable<(int Low, int High)> ranges)
    {
        var sorted = ranges.Where(r => r.Low <= r.High).OrderBy(r => r.Low).ToList();
        var merged = new List<(int Low, int High)>();
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && r.Low <= merged[^1].High + 1)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, r.High));
            }
            else
            {
                merged.Add(r);
            }
        }

        return new CharSet(merged);
    }

    public CharSet Union(CharSet other) => Of(_ranges.Concat(other._ranges));

    public CharSet Complement()
    {
        var result = new List<(int Low, int High)>();
        var next = 0;
        foreach (var (low, high) in _ranges)
        {
            if (low > next)
            {
                result.Add((next, low - 1));
            }

            next = high + 1;
        }

        if (next <= MaxCodePoint)
        {
            result.Add((next, MaxCodePoint));
        }

        return new CharSet(result);
    }

    public CharSet Minus(CharSet other) => Intersect(other.Complement());

    public CharSet Intersect(CharSet other) => Complement().Union(other.Complement()).Complement();

    public bool Contains(int c) => _ranges.Any(r => r.Low <= c && c <= r.High);

    /// <summary>The set as one GBNF character class, every non-alphanumeric character written as an escape.</summary>
    public string ToGbnfClass()
    {
        var text = new StringBuilder("[");
        foreach (var (low, high) in _ranges)
        {
            text.Append(Escape(low));
            if (high != low)
            {
                text.Append('-').Append(Escape(high));
            }
        }

        return text.Append(']').ToString();
    }

    private static string Escape(int c) => c switch
    {
        >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z' => ((char)c).ToString(),
        <= 0xFF => $"\\x{c:X2}",
        <= 0xFFFF => $"\\u{c:X4}",
        _ => $"\\U{c:X8}",
    };
}
