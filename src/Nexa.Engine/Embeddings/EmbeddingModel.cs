using LLama;
using LLama.Common;
using LLama.Native;
using Nexa.Engine.Text;

namespace Nexa.Engine.Embeddings;

/// <summary>
/// A GGUF embedding model or reranker loaded in this process (llama.cpp through LLamaSharp): one long-lived context
/// with embeddings on and an explicit pooling, owned by one <see cref="EmbeddingScheduler"/> loop. Requests are
/// validated and tokenized on the caller's thread; the loop decodes many inputs per batch, from many callers.
/// </summary>
/// <remarks>
/// Not LLamaSharp's LLamaEmbedder: it creates a context per call and is not thread-safe. Pooling is never left
/// unspecified (it resolves to none for llama-architecture models and the pooled output is then a null pointer).
/// Flash attention stays at llama.cpp's default (on for CPU), as llama-server has it: it skips the other
/// sequences' cells of a shared batch, which is what makes batching pay (measured on the tiny models: 256 short
/// inputs 1.5-2.5x faster in one request than one by one; without it, no faster at all, and the attention matrix of
/// a whole batch is held in memory, 1 GiB at 4096 tokens and 16 heads). Its price: a vector depends slightly on what
/// shares its batch (measured up to 8e-4 per element, 1 - cosine below 3e-6); the same batch gives the same vectors.
/// </remarks>
public sealed class EmbeddingModel : ILoadedModel
{
    // Sequences per decode. Mean pooling aborts the process unless the micro-batch is a multiple of it, so the
    // micro-batch (= the context, see LoadAsync) is a multiple of 16 and this its largest power-of-two divisor up to 16.
    private const int MaxSequences = 16;

    private readonly LLamaWeights _weights;
    private readonly EmbeddingTokenizer _tokenizer;
    private readonly EmbeddingScheduler _scheduler;
    private readonly CallerGate _callers = new();

    private EmbeddingModel(string path, LLamaWeights weights, LLamaContext context, EmbeddingModelFile file, EmbeddingModelKind kind, int batchTokens, int sequences)
    {
        _weights = weights;
        _tokenizer = new EmbeddingTokenizer(weights, file, batchTokens, VocabularyProfile.Read(weights));
        Info = new TextModelInfo(path, file.Architecture, (int)context.ContextSize, weights.ContextSize, weights.Vocab.Count, HasChatTemplate: false)
        {
            Embedding = new EmbeddingModelInfo(kind, weights.EmbeddingSize, file.Pooling, batchTokens),
        };
        _scheduler = new EmbeddingScheduler(context, batchTokens, sequences);
    }

    public TextModelInfo Info { get; }

    /// <summary>Kind, vector length, pooling and input limit (also in <see cref="TextModelInfo.Embedding"/>).</summary>
    public EmbeddingModelInfo Embedding => Info.Embedding!;

    private string Name => Path.GetFileName(Info.Path);

    /// <summary>
    /// Loads a GGUF embedding model or reranker (memory-mapped) and starts its scheduler. The file's header is read
    /// first: its pooling (<c>{arch}.pooling_type</c>; when absent, mean for encoders such as BERT and last-token
    /// for decoders such as Qwen3-Embedding), and files that would abort llama.cpp are refused. One input may hold
    /// as many tokens as the context, which is <see cref="EngineOptions.ContextSize"/> capped at the model's
    /// training context and rounded down to a multiple of 16; the batch and micro-batch are that size too.
    /// Throws <see cref="EngineException"/> (<see cref="EngineErrorKind.LoadFailed"/>) with the reason.
    /// </summary>
    public static async Task<EmbeddingModel> LoadAsync(string ggufPath, EngineOptions options, EmbeddingModelKind kind, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(ggufPath);
        ArgumentNullException.ThrowIfNull(options);
        NativeModelLoader.CheckOptions(options);
        if (!File.Exists(ggufPath))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"model file not found: {ggufPath}");
        }

        var file = EmbeddingModelFile.Read(ggufPath, kind);
        NativeLogging.EnsureActive();
        var threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var parameters = new ModelParams(ggufPath)
        {
            LoadMode = LLamaLoadMode.MemoryMap,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = options.GpuLayers,
            Embeddings = true,
            PoolingType = (LLamaPoolingType)(int)file.Pooling,
            // Flash attention on the CPU makes a vector depend on what else shares its batch (up to 8e-4 per element,
            // rerank scores off the reference by ~1e-3); off, batched and single vectors are identical. Correctness first.
            FlashAttention = false,
        };

        var weights = await NativeModelLoader.LoadWeightsAsync(parameters, ct).ConfigureAwait(false);
        LLamaContext? context = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            var tokens = ContextTokens(options.ContextSize, weights.ContextSize);
            var sequences = SequencesPerBatch(tokens);
            parameters.ContextSize = (uint)tokens;
            parameters.BatchSize = (uint)tokens;
            parameters.UBatchSize = (uint)tokens;
            parameters.SeqMax = (uint)sequences;
            context = NativeModelLoader.CreateContext(weights, parameters);
            var batchTokens = Math.Min(tokens, (int)context.BatchSize);
            return new EmbeddingModel(Path.GetFullPath(ggufPath), weights, context, file, kind, batchTokens, sequences);
        }
        catch
        {
            // The constructor starts the scheduler (which then owns the context) as its very last step.
            context?.Dispose();
            weights.Dispose();
            throw;
        }
    }

    public async Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ct.ThrowIfCancellationRequested();
        if (Embedding.Kind != EmbeddingModelKind.Embedder)
        {
            throw EngineException.ModelCannot(Name, "create embeddings", "it is a reranker (it scores documents)");
        }

        var dimensions = request.Dimensions ?? Embedding.Dimensions;
        if (dimensions < 1 || dimensions > Embedding.Dimensions)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest,
                $"dimensions must be between 1 and {Embedding.Dimensions} (the model's vector length), not {dimensions}", ErrorCodes.InvalidValue, "dimensions");
        }

        var inputs = request.Inputs ?? [];
        var sequences = new int[inputs.Count][];
        // Each request tokenizes on its own thread, beside the others: no lock, only a pin on the weights.
        using (_callers.Enter(this))
        {
            for (var i = 0; i < sequences.Length; i++)
            {
                sequences[i] = _tokenizer.Input(inputs[i], i, request.Task, request.Truncate);
            }
        }

        var outputs = await RunAsync(new EmbeddingJob(sequences, scoresOnly: false, int.MaxValue, ct)).ConfigureAwait(false);
        var vectors = outputs.Select(v => Vectors.Normalized(v.AsSpan(0, dimensions))).ToArray();
        return new EmbeddingResult(vectors, sequences.Sum(s => s.Length));
    }

    public async Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ct.ThrowIfCancellationRequested();
        if (Embedding.Kind != EmbeddingModelKind.Reranker)
        {
            throw EngineException.ModelCannot(Name, "rerank", "it is an embedding model, not a reranker");
        }

        if (request.BatchSize is < 1)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"batch_size must be at least 1, not {request.BatchSize}", ErrorCodes.InvalidValue, "batch_size");
        }

        var documents = request.Documents ?? [];
        var pairs = new int[documents.Count][];
        // Each request tokenizes on its own thread, beside the others: no lock, only a pin on the weights.
        using (_callers.Enter(this))
        {
            for (var i = 0; i < pairs.Length; i++)
            {
                pairs[i] = _tokenizer.Pair(request.Query, documents[i], i, request.Truncate);
            }
        }

        var outputs = await RunAsync(new EmbeddingJob(pairs, scoresOnly: true, request.BatchSize ?? int.MaxValue, ct)).ConfigureAwait(false);
        return new RerankResult([.. outputs.Select(o => o[0])], pairs.Sum(p => p.Length));
    }

    /// <summary>An embedding model cannot chat; the server routes chats elsewhere, so this is a last line of defence.</summary>
    public IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Name, "chat", "it is an embedding model");

    public async ValueTask DisposeAsync()
    {
        if (!_callers.Close(out var drained))
        {
            return;
        }

        await drained.ConfigureAwait(false);
        await _scheduler.StopAsync().ConfigureAwait(false);
        _weights.Dispose();
    }

    /// <summary>Tokenizes one text input as an embedding request would, before any length check (exposed for tests).</summary>
    internal int[] InputTokens(string text, EmbeddingTask task = EmbeddingTask.Default)
    {
        // Each request tokenizes on its own thread, beside the others: no lock, only a pin on the weights.
        using (_callers.Enter(this))
        {
            return _tokenizer.Text(text, task);
        }
    }

    /// <summary>Tokenizes one pair as a rerank would (exposed for tests).</summary>
    internal int[] PairTokens(string query, string document)
    {
        // Each request tokenizes on its own thread, beside the others: no lock, only a pin on the weights.
        using (_callers.Enter(this))
        {
            return _tokenizer.Join(query, document);
        }
    }

    /// <summary>The context (and so one input's limit): asked for, capped at what the model was trained on, a multiple of 16.</summary>
    internal static int ContextTokens(int requested, int trainingContext)
    {
        var tokens = trainingContext > 0 ? Math.Min(requested, trainingContext) : requested;
        return Math.Max(16, tokens / 16 * 16);
    }

    /// <summary>The largest power of two up to 16 that divides the micro-batch (mean pooling aborts otherwise).</summary>
    internal static int SequencesPerBatch(int microBatch)
    {
        var sequences = MaxSequences;
        while (sequences > 1 && microBatch % sequences != 0)
        {
            sequences /= 2;
        }

        return sequences;
    }

    private async Task<float[][]> RunAsync(EmbeddingJob job)
    {
        if (job.Sequences.Length == 0)
        {
            return [];
        }

        // The caller may stop waiting at once; the loop sees the token and gives the job no further places.
        await using var registration = job.Cancellation.Register(job.Cancel).ConfigureAwait(false);
        _scheduler.Enqueue(job);
        return await job.Completion.ConfigureAwait(false);
    }
}
