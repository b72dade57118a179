using System.Numerics;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Embeddings.FixtureChecks;

/// <summary>
/// Raw LLamaSharp over the tiny BERT fixtures, set up as the facts notes say an embedding context
/// must be (explicit pooling, SeqMax dividing UBatchSize, the invalid-handle check): the ground
/// truth the engine is held to.
/// </summary>
internal static class LlamaBert
{
    public const uint ContextSize = 512;

    /// <param name="flashAttention">null: llama.cpp's "auto", which is on for the CPU.</param>
    public static ModelParams Params(string path, LLamaPoolingType pooling, uint seqMax = 1, bool? flashAttention = null) => new(path)
    {
        FlashAttention = flashAttention,
        ContextSize = ContextSize,
        LoadMode = LLamaLoadMode.MemoryMap,
        GpuLayerCount = 0,
        Embeddings = true,
        PoolingType = pooling,
        BatchSize = ContextSize,
        UBatchSize = ContextSize,
        SeqMax = seqMax,
    };

    public static LLamaWeights Load(string path)
    {
        NativeLog.EnsureConfigured();
        try
        {
            return LLamaWeights.LoadFromFile(Params(path, LLamaPoolingType.Unspecified));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"llama.cpp refused the model; its log:\n{NativeLog.Recent()}", e);
        }
    }

    /// <summary>llama.cpp's tokens for <paramref name="text"/>, with [CLS] … [SEP] added.</summary>
    /// <param name="special">Whether "[SEP]" and the like written in the text are read as those tokens.</param>
    public static int[] Tokenize(LLamaWeights weights, string text, bool special = true) =>
        [.. weights.Tokenize(text, add_bos: true, special, Encoding.UTF8).Select(t => (int)t)];

    /// <summary>
    /// A cross-encoder input from llama.cpp's tokens: [CLS] query [SEP] document [SEP], BERT's
    /// sentence-pair layout. libllama has no pair API; llama-server's format_rerank
    /// ([BOS] q [EOS] [SEP] d [EOS], EOS falling back to SEP) has changed between versions and would
    /// double the middle [SEP] for a BERT vocabulary, so the pair is built from two tokenizations.
    /// </summary>
    public static int[] TokenizePair(LLamaWeights weights, string query, string document) =>
        [.. Tokenize(weights, query, special: false), .. Tokenize(weights, document, special: false).Skip(1)];

    /// <summary>
    /// Decodes each token list as its own sequence of one batch and returns what
    /// <c>llama_get_embeddings_seq</c> gives for each: n_embd floats, or for RANK the score in
    /// element 0 (the rest of the span is not written).
    /// </summary>
    public static float[][] Pool(LLamaWeights weights, string path, LLamaPoolingType pooling, IReadOnlyList<int[]> sequences,
        bool? flashAttention = null)
    {
        // Mean pooling aborts the process unless SeqMax divides UBatchSize: a power of two does.
        using var context = weights.CreateContext(Params(path, pooling, seqMax: BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, sequences.Count)), flashAttention));
        Assert.False(context.NativeHandle.IsInvalid, NativeLog.Recent());
        var batch = new LLamaBatch();
        for (var s = 0; s < sequences.Count; s++)
        {
            for (var i = 0; i < sequences[s].Length; i++)
            {
                batch.Add((LLamaToken)sequences[s][i], i, (LLamaSeqId)s, true);
            }
        }

        Assert.Equal(DecodeResult.Ok, context.Decode(batch));
        return [.. sequences.Select((_, s) => context.NativeHandle.GetEmbeddingsSeq((LLamaSeqId)s).ToArray())];
    }
}
