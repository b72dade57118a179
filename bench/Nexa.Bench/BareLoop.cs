using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Nexa.Bench;

/// <summary>What one generation took: tokens in and out, time to the first token, and to the last.</summary>
internal sealed record Completion(int PromptTokens, int CompletionTokens, TimeSpan FirstToken, TimeSpan Total)
{
    /// <summary>The answer's text (server requests only).</summary>
    public string Text { get; init; } = "";

    /// <summary>Prompt tokens the server reused from its prompt cache (usage.prompt_tokens_details.cached_tokens).</summary>
    public int CachedTokens { get; init; }

    /// <summary>Decode speed excludes the first token (prefill), as llama.cpp's own timings do.</summary>
    public double DecodeTokensPerSecond => CompletionTokens > 1 ? (CompletionTokens - 1) / (Total - FirstToken).TotalSeconds : 0;

    public double PrefillTokensPerSecond => PromptTokens / FirstToken.TotalSeconds;
}

/// <summary>
/// The engine's own limit: LLamaSharp in this process, one context, one batch, llama_decode and a greedy argmax, with
/// nothing of nexa in between — the same file, context size, batch sizes and threads as the server's runner.
/// </summary>
internal sealed class BareLoop : IDisposable
{
    private const int BatchSize = 512; // EngineOptions' BatchSize and UBatchSize defaults, as the runner uses them
    private readonly LLamaWeights _weights;
    private readonly string _path;
    private readonly int _contextSize;
    private readonly int _threads;

    private BareLoop(LLamaWeights weights, string path, int contextSize, int threads)
    {
        _weights = weights;
        _path = path;
        _contextSize = contextSize;
        _threads = threads;
    }

    public static BareLoop Load(string path, int contextSize, int threads)
    {
        var weights = LLamaWeights.LoadFromFile(Parameters(path, contextSize, threads, 1));
        return new BareLoop(weights, path, contextSize, threads);
    }

    public LLamaContext CreateContext(int sequences) => _weights.CreateContext(Parameters(_path, _contextSize, _threads, sequences));

    public LLamaToken[] Tokenize(string text) => _weights.Tokenize(text, false, true, Encoding.UTF8);

    /// <summary>One fresh sequence: the whole prompt, then <paramref name="maxTokens"/> greedy tokens.</summary>
    public static Completion Complete(LLamaContext context, LLamaToken[] prompt, int maxTokens)
    {
        context.NativeHandle.MemoryClear(true);
        return Continue(context, prompt, 0, maxTokens, out _);
    }

    /// <summary>
    /// Feeds <paramref name="tokens"/> at <paramref name="position"/> on top of what sequence 0 already holds (a chat's
    /// earlier turns, as a perfect prompt cache keeps them), then generates; <paramref name="end"/> is the next position.
    /// </summary>
    public static Completion Continue(LLamaContext context, LLamaToken[] tokens, int position, int maxTokens, out int end)
    {
        var clock = Stopwatch.StartNew();
        var batch = new LLamaBatch();
        var logits = -1;
        for (var start = 0; start < tokens.Length; start += BatchSize)
        {
            batch.Clear();
            var count = Math.Min(BatchSize, tokens.Length - start);
            for (var i = 0; i < count; i++)
                logits = batch.Add(tokens[start + i], position++, (LLamaSeqId)0, start + i == tokens.Length - 1);
            Check(context.Decode(batch));
        }

        var token = Argmax(context, logits);
        var first = clock.Elapsed;
        for (var generated = 1; generated < maxTokens; generated++)
        {
            batch.Clear();
            var index = batch.Add(token, position++, (LLamaSeqId)0, true);
            Check(context.Decode(batch));
            token = Argmax(context, index);
        }

        // The last token is sampled but not yet decoded: the next turn feeds it first, as a chat would.
        end = position;
        return new Completion(tokens.Length, maxTokens, first, clock.Elapsed);
    }

    /// <summary>
    /// <paramref name="streams"/> sequences of the same prompt, all in each step's one batch (continuous batching at its
    /// best): returns all streams' decoded tokens per second of the decode steps (the prompts' prefill and first
    /// tokens left out, as the server's figure leaves them out).
    /// </summary>
    public static double Concurrent(LLamaContext context, LLamaToken[] prompt, int streams, int maxTokens)
    {
        context.NativeHandle.MemoryClear(true);
        var clock = Stopwatch.StartNew();
        var batch = new LLamaBatch();
        var tokens = new LLamaToken[streams];
        var logits = new int[streams];
        for (var s = 0; s < streams; s++)
        {
            batch.Clear();
            for (var i = 0; i < prompt.Length; i++)
                logits[s] = batch.Add(prompt[i], i, (LLamaSeqId)s, i == prompt.Length - 1);
            Check(context.Decode(batch));
            tokens[s] = Argmax(context, logits[s]);
        }

        clock.Restart();
        for (var step = 1; step < maxTokens; step++)
        {
            batch.Clear();
            for (var s = 0; s < streams; s++)
                logits[s] = batch.Add(tokens[s], prompt.Length + step - 1, (LLamaSeqId)s, true);
            Check(context.Decode(batch));
            for (var s = 0; s < streams; s++)
                tokens[s] = Argmax(context, logits[s]);
        }

        return streams * (maxTokens - 1) / clock.Elapsed.TotalSeconds;
    }

    public void Dispose() => _weights.Dispose();

    private static ModelParams Parameters(string path, int contextSize, int threads, int sequences) => new(path)
    {
        LoadMode = LLamaLoadMode.MemoryMap,
        ContextSize = (uint)contextSize,
        Threads = threads,
        BatchThreads = threads,
        BatchSize = BatchSize,
        UBatchSize = BatchSize,
        SeqMax = (uint)sequences,
    };

    private static LLamaToken Argmax(LLamaContext context, int index)
    {
        var logits = context.NativeHandle.GetLogitsIth(index);
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
                best = i;
        }

        return (LLamaToken)best;
    }

    private static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama_decode failed: {result}");
    }
}
