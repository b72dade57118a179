using System.Text;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// Tokenizes text with special tokens off, in time linear in its length, with exactly llama.cpp's result.
/// </summary>
/// <remarks>
/// llama.cpp's SentencePiece tokenizer spells a character no piece contains in byte tokens, and before each such
/// character it reserves exactly two more places in its output vector: the vector is copied whole every time, so text
/// made of such characters costs time quadratic in its length (500,000 "é" on a vocabulary without "é": ~50 s, and the
/// length check only comes after). Such a character is never merged with a neighbour (no piece contains it), so the
/// text can be cut there: the runs between cuts are handed to llama.cpp, never longer than <see cref="ChunkChars"/>
/// before a cut, and runs of unknown characters are spelled in byte tokens here. SentencePiece puts a space before
/// every text it tokenizes (<c>add_space_prefix</c>); a run after a cut is tokenized after the unknown character that
/// precedes it, whose tokens (the space's, then its bytes) are dropped again, so the result is the same as in one piece.
/// </remarks>
internal sealed class LinearTokenizer
{
    /// <summary>Characters llama.cpp tokenizes at once before a cut: its quadratic cost stays within a few milliseconds.</summary>
    internal const int ChunkChars = 4096;

    private readonly LLamaWeights _weights;
    private readonly VocabularyProfile _profile;
    private readonly LLamaToken[]? _spacePrefix;

    public LinearTokenizer(LLamaWeights weights, VocabularyProfile profile)
    {
        _weights = weights;
        _profile = profile;
        _spacePrefix = profile.ByteTokens is null ? null : SpacePrefix();
    }

    /// <summary>False when the vocabulary gives no safe place to cut (not SentencePiece, or no byte fallback): then in one piece.</summary>
    public bool CutsText => _spacePrefix is not null;

    public LLamaToken[] Tokenize(string text)
    {
        if (_spacePrefix is null || text.Length <= ChunkChars)
        {
            return Whole(text);
        }

        var tokens = new List<LLamaToken>(text.Length);
        var start = 0;
        Rune? anchor = null;
        var at = 0;
        while (at < text.Length)
        {
            var rune = RuneAt(text, at, out var width);
            if (at - start < ChunkChars || !_profile.IsUnknown(rune))
            {
                at += width;
                continue;
            }

            if (!Run(text[start..at], anchor, tokens))
            {
                return Whole(text);
            }

            // The unknown run, spelled as llama.cpp spells it.
            while (at < text.Length && _profile.IsUnknown(rune = RuneAt(text, at, out width)))
            {
                AddBytes(rune, tokens);
                anchor = rune;
                at += width;
            }

            start = at;
        }

        return Run(text[start..], anchor, tokens) ? [.. tokens] : Whole(text);
    }

    // A run of text: as it is at the start; after a cut, behind its anchor, whose tokens are then dropped.
    private bool Run(string run, Rune? anchor, List<LLamaToken> tokens)
    {
        if (run.Length == 0)
        {
            return true;
        }

        if (anchor is not { } before)
        {
            tokens.AddRange(Whole(run));
            return true;
        }

        var lead = new List<LLamaToken>(_spacePrefix!);
        AddBytes(before, lead);
        var tokenized = Whole(before + run);
        if (tokenized.Length < lead.Count || !tokenized.AsSpan(0, lead.Count).SequenceEqual(lead.ToArray()))
        {
            return false; // not as the vocabulary promised: the caller tokenizes the text whole
        }

        tokens.AddRange(tokenized.AsSpan(lead.Count));
        return true;
    }

    private LLamaToken[] Whole(string text) => _weights.Tokenize(text, false, false, Encoding.UTF8);

    private void AddBytes(Rune rune, List<LLamaToken> tokens)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var length = rune.EncodeToUtf8(utf8);
        foreach (var b in utf8[..length])
        {
            tokens.Add(_profile.ByteTokens![b]);
        }
    }

    // A lone surrogate is what Encoding.UTF8 makes of it when the text goes to llama.cpp: U+FFFD.
    private static Rune RuneAt(string text, int at, out int width)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(at), out var rune, out width) == System.Buffers.OperationStatus.Done)
        {
            return rune;
        }

        width = Math.Max(1, width);
        return Rune.ReplacementChar;
    }

    // What llama.cpp puts before a text when the vocabulary adds a space prefix (none, a '▁' piece, or its bytes):
    // learnt from a character no piece contains, which must come back as the prefix and then its own bytes.
    private LLamaToken[]? SpacePrefix()
    {
        for (var value = 0xE000; value < 0xF900; value++)
        {
            var probe = new Rune(value);
            if (_profile.IsUnknown(probe))
            {
                var bytes = new List<LLamaToken>();
                AddBytes(probe, bytes);
                var tokens = Whole(probe.ToString());
                return tokens.Length >= bytes.Count && tokens.AsSpan(tokens.Length - bytes.Count).SequenceEqual(bytes.ToArray())
                    ? tokens[..^bytes.Count]
                    : null;
            }
        }

        return null;
    }
}
