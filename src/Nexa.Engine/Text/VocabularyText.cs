using System.Text;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// Text ↔ tokens outside a generation (llama-server's <c>/tokenize</c> and <c>/detokenize</c>). Token ids are checked
/// against the vocabulary first: llama.cpp reads out of bounds on an id it does not have.
/// </summary>
internal static class VocabularyText
{
    public static IReadOnlyList<TokenPiece> Tokenize(LLamaWeights weights, TokenizeRequest request)
    {
        var tokens = weights.Tokenize(request.Text, request.AddSpecial, request.ParseSpecial, Encoding.UTF8);
        return [.. tokens.Select(t => new TokenPiece((int)t, Bytes(weights.NativeHandle, t)))];
    }

    public static string Detokenize(LLamaWeights weights, IReadOnlyList<int> tokens)
    {
        var vocabulary = weights.Vocab.Count;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] < 0 || tokens[i] >= vocabulary)
                throw new EngineException(EngineErrorKind.InvalidRequest,
                    $"tokens[{i}] is {tokens[i]}, which is not in the model's vocabulary (0 to {vocabulary - 1})", ErrorCodes.InvalidValue, "tokens");
        }
        // Bytes first, text once: a character split across tokens comes out whole.
        var bytes = new List<byte>();
        foreach (var token in tokens)
            bytes.AddRange(Bytes(weights.NativeHandle, (LLamaToken)token));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    // Special tokens are written out (as llama-server does), whatever their length.
    private static byte[] Bytes(SafeLlamaModelHandle model, LLamaToken token)
    {
        Span<byte> small = stackalloc byte[64];
        var size = (int)model.TokenToSpan(token, small, 0, special: true);
        if (size <= small.Length)
            return small[..size].ToArray();
        var large = new byte[size];
        model.TokenToSpan(token, large, 0, special: true);
        return large;
    }
}
