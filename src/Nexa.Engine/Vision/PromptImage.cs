using LLama.Native;

namespace Nexa.Engine.Vision;

/// <summary>
/// One image of a prompt, preprocessed by mtmd and waiting to be encoded: it owns mtmd's chunk (the image's
/// pixels, resized for the projector) until the scheduler has evaluated it or the job ends.
/// </summary>
/// <remarks>
/// In the prompt's token list the image takes <see cref="Positions"/> entries of <see cref="PseudoToken"/>s
/// derived from <see cref="Hash"/>: the prefix cache compares those like tokens, so the same image matches
/// (its KV is reused, it is not encoded again) and another image breaks the match where it starts.
/// </remarks>
internal sealed class PromptImage : IDisposable
{
    private readonly SafeMtmdInputChunks _chunks;

    public PromptImage(SafeMtmdInputChunks chunks, IntPtr chunk, byte[] hash, int positions, int tokens)
    {
        _chunks = chunks;
        Chunk = chunk;
        Hash = hash;
        Positions = positions;
        Tokens = tokens;
    }

    /// <summary>mtmd's image chunk (a pointer into the chunk list this object owns).</summary>
    public IntPtr Chunk { get; }

    /// <summary>SHA-256 of the image file's bytes.</summary>
    public byte[] Hash { get; }

    /// <summary>Positions the image takes in its sequence (fewer than <see cref="Tokens"/> for M-RoPE models).</summary>
    public int Positions { get; }

    /// <summary>Embeddings the image decodes into (KV cells it takes).</summary>
    public int Tokens { get; }

    /// <summary>The model's own tokens before the image (e.g. &lt;|vision_start|&gt;); often none.</summary>
    public LLamaToken[] Before { get; init; } = [];

    /// <summary>The model's own tokens after the image; often none.</summary>
    public LLamaToken[] After { get; init; } = [];

    /// <summary>Where the image starts in the prompt's token list; set when the prompt is assembled.</summary>
    public int Start { get; set; }

    public int End => Start + Positions;

    /// <summary>
    /// The stand-in for position <paramref name="index"/> of the image with <paramref name="hash"/>: always negative,
    /// so it never equals a real token id, and different for different images and positions.
    /// </summary>
    public static LLamaToken PseudoToken(byte[] hash, int index)
    {
        var seed = BitConverter.ToUInt32(hash, 0) ^ BitConverter.ToUInt32(hash, 4);
        var mixed = (seed + ((uint)index * 0x9E3779B9u)) & 0x7FFFFFFFu;
        return (LLamaToken)unchecked((int)(0x80000000u | mixed));
    }

    public void Dispose() => _chunks.Dispose();
}
