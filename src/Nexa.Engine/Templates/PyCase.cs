using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Nexa.Engine.Templates;

/// <summary>
/// Python's str case algorithms: full mappings (ß upper-cases to SS, ǆ title-cases to ǅ), the final sigma
/// (ΟΔΟΣ lower-cases to οδος) and Python's Lowercase/Uppercase properties for islower/isupper/istitle. .NET's
/// invariant casing maps one character to one and knows no title case, so where Python differs the tables of
/// PyCase.Data.cs say what it does.
/// </summary>
internal static partial class PyCase
{
    private const int CapitalSigma = 0x3A3;
    private const int DottedCapitalI = 0x130;

    private static readonly FrozenDictionary<int, string> UpperMap = Mappings(UpperData);
    private static readonly FrozenDictionary<int, string> TitleMap = Mappings(TitleData);
    private static readonly FrozenDictionary<int, string> FoldMap = Mappings(FoldData);
    private static readonly (int First, int Last)[] OtherLower = Ranges(OtherLowercase);
    private static readonly (int First, int Last)[] OtherUpper = Ranges(OtherUppercase);

    public static string Upper(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in CodePoints(text))
        {
            AppendUpper(builder, c);
        }

        return builder.ToString();
    }

    public static string Lower(string text)
    {
        var points = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < points.Length; i++)
        {
            AppendLower(builder, points, i);
        }

        return builder.ToString();
    }

    /// <summary>str.title(): a character after a cased one is lower-cased, any other title-cased.</summary>
    public static string Title(string text)
    {
        var points = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        var previousCased = false;
        for (var i = 0; i < points.Length; i++)
        {
            if (previousCased)
            {
                AppendLower(builder, points, i);
            }
            else
            {
                AppendTitle(builder, points[i]);
            }

            previousCased = IsCased(points[i]);
        }

        return builder.ToString();
    }

    /// <summary>str.capitalize() (Python 3.8 on): the first character title-cased, the rest lower-cased.</summary>
    public static string Capitalize(string text)
    {
        var points = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < points.Length; i++)
        {
            if (i == 0)
            {
                AppendTitle(builder, points[i]);
            }
            else
            {
                AppendLower(builder, points, i);
            }
        }

        return builder.ToString();
    }

    /// <summary>jinja2's title filter: each piece between runs of whitespace, '-', '(', '{', '[' and '&lt;' gets an upper first character and a lower rest.</summary>
    public static string TitleWords(string text)
    {
        var builder = new StringBuilder(text.Length);
        var start = 0;
        while (start < text.Length)
        {
            var separators = IsWordSeparator(text[start]);
            var end = start;
            while (end < text.Length && IsWordSeparator(text[end]) == separators)
            {
                end++;
            }

            // jinja2 writes piece[0].upper() + piece[1:].lower(): the rest is lower-cased on its own, so the first letter makes no Σ final.
            var firstLength = char.IsSurrogatePair(text, start) ? 2 : 1;
            builder.Append(Upper(text.Substring(start, firstLength))).Append(Lower(text[(start + firstLength)..end]));

            start = end;
        }

        return builder.ToString();
    }

    public static string SwapCase(string text)
    {
        var points = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < points.Length; i++)
        {
            if (IsUppercase(points[i]))
            {
                AppendLower(builder, points, i);
            }
            else if (IsLowercase(points[i]))
            {
                AppendUpper(builder, points[i]);
            }
            else
            {
                Append(builder, points[i]);
            }
        }

        return builder.ToString();
    }

    public static string CaseFold(string text)
    {
        var points = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < points.Length; i++)
        {
            var c = points[i];
            if (FoldMap.TryGetValue(c, out var folded))
            {
                builder.Append(folded);
            }
            else if (c is >= 0x13A0 and <= 0x13F5)
            {
                // Cherokee folds to its upper-case letters, the older ones.
                Append(builder, c);
            }
            else if (c is >= 0xAB70 and <= 0xABBF)
            {
                Append(builder, c - 0xAB70 + 0x13A0);
            }
            else if (c is >= 0x13F8 and <= 0x13FD)
            {
                Append(builder, c - 8);
            }
            else if (c == DottedCapitalI)
            {
                builder.Append("i\u0307");
            }
            else
            {
                Append(builder, SimpleLower(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>str.islower(): some cased character, and none upper- or title-case.</summary>
    public static bool IsLower(string text)
    {
        var cased = false;
        foreach (var c in CodePoints(text))
        {
            if (IsUppercase(c) || IsTitlecase(c))
            {
                return false;
            }

            cased |= IsLowercase(c);
        }

        return cased;
    }

    /// <summary>str.isupper(): some cased character, and none lower- or title-case.</summary>
    public static bool IsUpper(string text)
    {
        var cased = false;
        foreach (var c in CodePoints(text))
        {
            if (IsLowercase(c) || IsTitlecase(c))
            {
                return false;
            }

            cased |= IsUppercase(c);
        }

        return cased;
    }

    /// <summary>str.istitle(): upper- and title-case characters only after uncased ones, lower-case only after cased ones.</summary>
    public static bool IsTitle(string text)
    {
        var cased = false;
        var previousCased = false;
        foreach (var c in CodePoints(text))
        {
            if (IsUppercase(c) || IsTitlecase(c))
            {
                if (previousCased)
                {
                    return false;
                }

                previousCased = cased = true;
            }
            else if (IsLowercase(c))
            {
                if (!previousCased)
                {
                    return false;
                }

                previousCased = cased = true;
            }
            else
            {
                previousCased = false;
            }
        }

        return cased;
    }

    private static void AppendUpper(StringBuilder builder, int c)
    {
        if (UpperMap.TryGetValue(c, out var mapped))
        {
            builder.Append(mapped);
        }
        else
        {
            Append(builder, Rune.IsValid(c) ? Rune.ToUpperInvariant(new Rune(c)).Value : c);
        }
    }

    private static void AppendTitle(StringBuilder builder, int c)
    {
        if (TitleMap.TryGetValue(c, out var mapped))
        {
            builder.Append(mapped);
        }
        else
        {
            AppendUpper(builder, c);
        }
    }

    private static void AppendLower(StringBuilder builder, int[] points, int i)
    {
        switch (points[i])
        {
            case CapitalSigma:
                builder.Append(IsFinalSigma(points, i) ? 'ς' : 'σ');
                break;
            case DottedCapitalI:
                builder.Append("i\u0307");
                break;
            default:
                Append(builder, SimpleLower(points[i]));
                break;
        }
    }

    private static int SimpleLower(int c) => Rune.IsValid(c) ? Rune.ToLowerInvariant(new Rune(c)).Value : c;

    private static void Append(StringBuilder builder, int c)
    {
        if (c < 0x10000)
        {
            builder.Append((char)c);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(c));
        }
    }

    /// <summary>Unicode's Final_Sigma: a cased letter before (case-ignorable ones between), and no cased letter after.</summary>
    private static bool IsFinalSigma(int[] points, int i)
    {
        var before = i - 1;
        while (before >= 0 && IsCaseIgnorable(points[before]))
        {
            before--;
        }

        if (before < 0 || !IsCased(points[before]))
        {
            return false;
        }

        var after = i + 1;
        while (after < points.Length && IsCaseIgnorable(points[after]))
        {
            after++;
        }

        return after == points.Length || !IsCased(points[after]);
    }

    private static bool IsLowercase(int c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.LowercaseLetter || InRanges(OtherLower, c);

    private static bool IsUppercase(int c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.UppercaseLetter || InRanges(OtherUpper, c);

    private static bool IsTitlecase(int c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    private static bool IsCased(int c) => IsLowercase(c) || IsUppercase(c) || IsTitlecase(c);

    /// <summary>Unicode's Case_Ignorable: marks, format characters, modifiers, and the apostrophes and dots inside words.</summary>
    private static bool IsCaseIgnorable(int c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol => true,
        _ => c is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A,
    };

    private static bool IsWordSeparator(char c) => c is '-' or '(' or '{' or '[' or '<' || Array.IndexOf(TemplateLexer.PythonWhitespace, c) >= 0;

    private static bool InRanges((int First, int Last)[] ranges, int value)
    {
        foreach (var (first, last) in ranges)
        {
            if (value >= first && value <= last)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text's code points; a lone surrogate (JSON can carry one) stays itself, as in Python.</summary>
    private static int[] CodePoints(string text)
    {
        var points = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                points.Add(char.ConvertToUtf32(text[i], text[i + 1]));
                i++;
            }
            else
            {
                points.Add(text[i]);
            }
        }

        return [.. points];
    }

    private static FrozenDictionary<int, string> Mappings(string data) => data.Split(';').ToFrozenDictionary(
        entry => Hex(entry[..entry.IndexOf(':', StringComparison.Ordinal)]),
        entry => string.Concat(entry[(entry.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ').Select(c => char.ConvertFromUtf32(Hex(c)))));

    private static (int First, int Last)[] Ranges(string data) => [.. data.Split(';').Select(range => range.Split('-') switch
    {
        [var one] => (Hex(one), Hex(one)),
        [var first, var last] => (Hex(first), Hex(last)),
        _ => throw new FormatException(range),
    })];

    private static int Hex(string digits) => int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
