using System.Globalization;
using System.Text;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// A reference uncased BERT tokenizer, written from Hugging Face's <c>BertTokenizer</c>
/// (<c>do_lower_case=True</c>, <c>tokenize_chinese_chars=True</c>): the BasicTokenizer (drop
/// control characters, CJK characters as words of their own, NFC, split on whitespace, lower case,
/// strip accents through NFD minus Mn marks, split off punctuation), then greedy
/// longest-match-first WordPiece with "##" continuations, where a word that cannot be pieced —
/// or has more than <see cref="MaxCharsPerWord"/> characters — becomes a single [UNK].
/// </summary>
/// <remarks>
/// Where llama.cpp's WordPiece tokenizer (llm_tokenizer_wpm) is known to differ, this class keeps
/// Hugging Face's behaviour, because that is what a model was trained with; the fixture checks pin
/// the differences down:
/// <list type="bullet">
/// <item>llama.cpp has no per-word length limit: a word of more than 100 characters is pieced.</item>
/// <item>llama.cpp splits words at a vertical tab, form feed or U+0085; Hugging Face deletes these
/// control characters, joining the text on either side.</item>
/// </list>
/// Python's <c>str.lower</c> is followed for U+0130 (İ → i + U+0307, then stripped to "i"), which
/// .NET's invariant lower-casing leaves alone; Greek final sigma is not special-cased.
/// </remarks>
public sealed class WordPieceReference
{
    public const int MaxCharsPerWord = 100;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    /// <param name="vocabulary">Tokens by id, in WordPiece form (continuations start with "##").</param>
    public WordPieceReference(IReadOnlyList<string> vocabulary, string unknown = "[UNK]", string cls = "[CLS]", string sep = "[SEP]")
    {
        for (var id = 0; id < vocabulary.Count; id++)
        {
            _ids.TryAdd(vocabulary[id], id);
        }

        UnknownId = Id(unknown);
        ClsId = Id(cls);
        SepId = Id(sep);
    }

    public int UnknownId { get; }

    public int ClsId { get; }

    public int SepId { get; }

    /// <summary>[CLS] text [SEP], as a model input.</summary>
    public int[] Encode(string text, bool parseSpecial = false) => [ClsId, .. Tokenize(text, parseSpecial), SepId];

    /// <summary>[CLS] first [SEP] second [SEP], a cross-encoder's input.</summary>
    public int[] EncodePair(string first, string second) => [ClsId, .. Tokenize(first), SepId, .. Tokenize(second), SepId];

    /// <summary>The WordPiece ids of <paramref name="text"/>, without added special tokens.</summary>
    /// <param name="parseSpecial">
    /// Whether "[CLS]", "[SEP]" and the like written in the text are those tokens, as Hugging Face's
    /// tokenizer (and llama.cpp's with <c>special: true</c>) reads them; otherwise they are text.
    /// </param>
    public List<int> Tokenize(string text, bool parseSpecial = false)
    {
        var ids = new List<int>();
        foreach (var (fragment, special) in parseSpecial ? SplitSpecial(text) : [(text, -1)])
        {
            if (special >= 0)
            {
                ids.Add(special);
                continue;
            }

            foreach (var word in BasicTokenize(fragment))
            {
                PieceWord(word, ids);
            }
        }

        return ids;
    }

    /// <summary>The BasicTokenizer's words: cleaned, lower-cased, accents stripped, punctuation split off.</summary>
    public static List<string> BasicTokenize(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                cleaned.Append(' ');
            }
            else if (IsChinese(rune.Value))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        // Python's str.split() also splits at the line and paragraph separators, which the
        // cleaning above keeps (they are neither Zs nor control characters).
        var words = new List<string>();
        var normalized = cleaned.ToString().Normalize(NormalizationForm.FormC);
        foreach (var token in normalized.Split([' ', '\u2028', '\u2029'], StringSplitOptions.RemoveEmptyEntries))
        {
            SplitOnPunctuation(StripAccents(ToLower(token)), words);
        }

        return words;
    }

    /// <summary>The text cut at each special token written in it: (text, -1) and ("", id) parts.</summary>
    private List<(string Text, int Special)> SplitSpecial(string text)
    {
        var specials = _ids.Where(kv => kv.Key.Length > 2 && kv.Key[0] == '[' && kv.Key[^1] == ']').ToList();
        var parts = new List<(string, int)>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var match = specials.FirstOrDefault(kv => string.CompareOrdinal(text, i, kv.Key, 0, kv.Key.Length) == 0);
            if (match.Key is null)
            {
                i++;
                continue;
            }

            parts.Add((text[start..i], -1));
            parts.Add(("", match.Value));
            i += match.Key.Length;
            start = i;
        }

        parts.Add((text[start..], -1));
        return parts;
    }

    private void PieceWord(string word, List<int> ids)
    {
        var chars = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (chars.Length > MaxCharsPerWord)
        {
            ids.Add(UnknownId);
            return;
        }

        var pieces = new List<int>();
        var start = 0;
        while (start < chars.Length)
        {
            var found = -1;
            var end = chars.Length;
            for (; end > start; end--)
            {
                var piece = string.Concat(chars[start..end]);
                if (_ids.TryGetValue(start > 0 ? "##" + piece : piece, out var id))
                {
                    found = id;
                    break;
                }
            }

            if (found < 0)
            {
                ids.Add(UnknownId);
                return;
            }

            pieces.Add(found);
            start = end;
        }

        ids.AddRange(pieces);
    }

    private int Id(string token) =>
        _ids.TryGetValue(token, out var id) ? id : throw new ArgumentException($"the vocabulary has no {token}");

    private static string ToLower(string text) =>
        text.Contains('\u0130') ? text.Replace("\u0130", "i\u0307").ToLowerInvariant() : text.ToLowerInvariant();

    private static string StripAccents(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    private static void SplitOnPunctuation(string token, List<string> words)
    {
        var current = new StringBuilder();
        foreach (var rune in token.EnumerateRunes())
        {
            if (IsPunctuation(rune))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }

                words.Add(rune.ToString());
            }
            else
            {
                current.Append(rune.ToString());
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }
    }

    private static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    // Python's unicodedata categories starting with "C": Cc, Cf, Cs, Co, Cn; tab, newline and
    // carriage return count as whitespace instead.
    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control
            or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    // Every non-alphanumeric ASCII character counts as punctuation (so "$" and "^" split words
    // although Unicode calls them symbols), as does every Unicode P* category.
    private static bool IsPunctuation(Rune rune) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    // The CJK Unified Ideographs blocks, as BERT defines them (not Hiragana, Katakana or Hangul).
    private static bool IsChinese(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
