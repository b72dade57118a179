using System.Text;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// What a vocabulary tells about how text becomes tokens, read once at load: the most bytes of text one token can
/// cover (so N bytes of text are at least N / that many tokens, and text that cannot fit is refused before it is
/// tokenized), and, for SentencePiece, the characters no piece contains (they can only become byte tokens, which
/// <see cref="LinearTokenizer"/> writes itself).
/// </summary>
internal sealed class VocabularyProfile
{
    private readonly HashSet<int> _knownRunes;

    private VocabularyProfile(int maxBytesPerToken, HashSet<int> knownRunes, LLamaToken[]? byteTokens)
    {
        MaxBytesPerToken = maxBytesPerToken;
        _knownRunes = knownRunes;
        ByteTokens = byteTokens;
    }

    /// <summary>
    /// The most bytes of text one token covers; 0 when the vocabulary gives no such bound (WordPiece turns a whole
    /// unknown word into one [UNK]; Unigram and others are not checked).
    /// </summary>
    public int MaxBytesPerToken { get; }

    /// <summary>SentencePiece's byte-fallback tokens, by byte value; null for other vocabularies, or when one is missing.</summary>
    public LLamaToken[]? ByteTokens { get; }

    /// <summary>The fewest tokens <paramref name="utf8Bytes"/> bytes of text can become (0 when there is no bound).</summary>
    public long MinTokens(long utf8Bytes) => MaxBytesPerToken == 0 ? 0 : (utf8Bytes + MaxBytesPerToken - 1) / MaxBytesPerToken;

    /// <summary>
    /// True when <paramref name="rune"/> is in no piece of the vocabulary, so SentencePiece can only spell it in byte
    /// tokens and never merges it with a neighbour. ASCII is always treated as known (byte tokens' own names are ASCII).
    /// </summary>
    public bool IsUnknown(Rune rune) => ByteTokens is not null && rune.Value > 0x7F && !_knownRunes.Contains(rune.Value);

    public static VocabularyProfile Read(LLamaWeights weights)
    {
        var vocab = weights.Vocab;
        var type = vocab.Type;
        var bounded = type is LLamaVocabType.SentencePiece or LLamaVocabType.BytePairEncoding;
        var known = new HashSet<int>();
        var byteTokens = type == LLamaVocabType.SentencePiece ? new LLamaToken?[256] : null;
        // A character that becomes <unk> (a vocabulary without byte fallback) is covered by one token: up to 4 bytes.
        var max = 4;
        Span<byte> buffer = stackalloc byte[256];
        for (var id = 0; id < vocab.Count; id++)
        {
            var token = (LLamaToken)id;
            var attributes = token.GetAttributes(vocab);
            // Control tokens never come out of text tokenized with special tokens off: they cover none of it. The text a
            // token covers is what it decodes to without special rendering (<unk> then covers one character: see above).
            var length = (attributes & LLamaTokenAttr.Control) != 0 ? 0 : (int)weights.NativeHandle.TokenToSpan(token, buffer, special: false);
            ReadOnlySpan<byte> bytes = length <= buffer.Length ? buffer[..length] : Piece(weights, token, length);
            max = Math.Max(max, bytes.Length);
            if ((attributes & LLamaTokenAttr.Byte) != 0 && bytes.Length == 1 && byteTokens is not null)
            {
                byteTokens[bytes[0]] = token;
                continue;
            }

            // Every piece's characters, control tokens' too (so no split falls inside one): SentencePiece only merges
            // neighbours whose joined text is a piece, so a character in none of them is never merged.
            var text = (attributes & LLamaTokenAttr.Control) != 0 ? vocab.LLamaTokenToString(token, true) ?? "" : Encoding.UTF8.GetString(bytes);
            foreach (var rune in text.EnumerateRunes())
            {
                known.Add(rune.Value);
            }
        }

        // SentencePiece writes a space as '▁' before it tokenizes, so a '▁' in the text is the same symbol as a space.
        if (known.Contains(' '))
        {
            known.Add('\u2581');
        }

        var complete = byteTokens is not null && byteTokens.All(t => t is not null) ? byteTokens.Select(t => t!.Value).ToArray() : null;
        return new VocabularyProfile(bounded ? max : 0, known, complete);
    }

    private static byte[] Piece(LLamaWeights weights, LLamaToken token, int length)
    {
        var bytes = new byte[length];
        var written = (int)weights.NativeHandle.TokenToSpan(token, bytes, special: false);
        return bytes[..Math.Min(written, length)];
    }
}
