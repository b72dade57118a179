using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LLama;
using LLama.Common;
using LLama.Native;
using Nexa.Engine.Vision;

namespace Nexa.Engine.Text;

/// <summary>
/// A GGUF chat model loaded in this process (llama.cpp through LLamaSharp). Requests are validated, rendered and
/// tokenized on the caller's thread; one <see cref="ChatScheduler"/> loop per model does all the decoding.
/// </summary>
public sealed class TextModel : ILoadedModel
{
    private readonly LLamaWeights _weights;
    private readonly VisionProjector? _vision;
    private readonly ChatPromptBuilder _prompts;
    private readonly ChatScheduler _scheduler;
    private readonly LLamaToken[] _endOfGeneration;
    private int _slotContextSize;
    private readonly int _parallel;
    private readonly Lock _gate = new();
    private bool _disposed;

    private TextModel(string path, LLamaWeights weights, LLamaContext context, EngineOptions options, VisionProjector? vision)
    {
        _weights = weights;
        _vision = vision;
        _prompts = new ChatPromptBuilder(weights, vision, System.IO.Path.GetFileName(path));
        _endOfGeneration = Enumerable.Range(0, weights.Vocab.Count).Select(i => (LLamaToken)i)
            .Where(t => t.IsEndOfGeneration(weights.Vocab)).ToArray();
        Info = new TextModelInfo(path, weights.Metadata.GetValueOrDefault("general.architecture"), (int)context.ContextSize,
            weights.ContextSize, weights.Vocab.Count, _prompts.HasTemplate) { HasVision = vision is not null };
        // Each slot may fill an equal part of the shared KV cache, so the slots together never run out of cells.
        _parallel = options.Parallel;
        _slotContextSize = Info.ContextSize / options.Parallel;
        // llama.cpp may round the context up (to a multiple of 256) and caps the batch at the context: use its numbers.
        _scheduler = new ChatScheduler(weights, context, (int)context.BatchSize, options.Parallel, options.PromptCache, vision);
    }

    public TextModelInfo Info { get; }

    /// <summary>
    /// Loads a GGUF chat model (memory-mapped) and starts its scheduler. Throws <see cref="EngineException"/>
    /// (<see cref="EngineErrorKind.LoadFailed"/>) with llama.cpp's own reason when the file or the context fails.
    /// </summary>
    public static Task<TextModel> LoadAsync(string ggufPath, EngineOptions options, CancellationToken ct) =>
        LoadAsync(ggufPath, mmprojPath: null, options, ct);

    /// <summary>
    /// Loads a GGUF chat model and, when <paramref name="mmprojPath"/> is set, its vision projector (then messages may
    /// carry images). A projector that is missing, corrupt or made for another model is
    /// <see cref="EngineErrorKind.LoadFailed"/> with mtmd's reason.
    /// </summary>
    public static async Task<TextModel> LoadAsync(string ggufPath, string? mmprojPath, EngineOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(ggufPath);
        ArgumentNullException.ThrowIfNull(options);
        NativeModelLoader.CheckOptions(options);
        // llama.cpp holds at most 256 sequences (LLAMA_MAX_SEQ); each slot needs a batch place every step and KV cells.
        const int maxSequences = 256;
        if (options.Parallel > Math.Min(maxSequences, Math.Min(options.BatchSize, options.ContextSize)))
        {
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"parallel ({options.Parallel}) cannot exceed {maxSequences}, the batch size ({options.BatchSize}) or the context ({options.ContextSize})");
        }

        if (!File.Exists(ggufPath))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"model file not found: {ggufPath}");
        }

        NativeLogging.EnsureActive();
        var threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var parameters = new ModelParams(ggufPath)
        {
            LoadMode = LLamaLoadMode.MemoryMap,
            ContextSize = (uint)options.ContextSize,
            Threads = threads,
            BatchThreads = threads,
            BatchSize = (uint)options.BatchSize,
            UBatchSize = (uint)Math.Min(options.UBatchSize, options.BatchSize),
            SeqMax = (uint)options.Parallel,
            GpuLayerCount = options.GpuLayers,
        };

        var weights = await NativeModelLoader.LoadWeightsAsync(parameters, ct).ConfigureAwait(false);
        LLamaContext? context = null;
        VisionProjector? vision = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            if (!string.IsNullOrEmpty(mmprojPath))
            {
                vision = await VisionProjector.LoadAsync(mmprojPath, weights, options with { Threads = threads }, ct).ConfigureAwait(false);
            }

            context = NativeModelLoader.CreateContext(weights, parameters);
            return new TextModel(Path.GetFullPath(ggufPath), weights, context, options, vision);
        }
        catch
        {
            // The constructor starts the scheduler (which then owns the context) as its very last step.
            context?.Dispose();
            vision?.Dispose();
            weights.Dispose();
            throw;
        }
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = Stopwatch.GetTimestamp();
        ct.ThrowIfCancellationRequested();

        // Cancelled when the caller cancels or stops reading (leaves the await foreach): either frees the slot.
        using var jobCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _scheduler.Enqueue(CreateJob(request, startedAt, events.Writer, jobCancellation.Token));
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            await jobCancellation.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _scheduler.StopAsync().ConfigureAwait(false);
        _vision?.Dispose();
        _weights.Dispose();
    }

    public Task<ModelStats> GetStatsAsync(CancellationToken ct) =>
        Task.FromResult(new ModelStats(_scheduler.SlotCount, _scheduler.ActiveSlots, _scheduler.QueuedJobs, _scheduler.CachedTokens, Info.ContextSize, Environment.WorkingSet));

    /// <summary>Sequence slots running a request now (for tests and health).</summary>
    internal int ActiveSlots => _scheduler.ActiveSlots;

    /// <summary>Images the vision projector has encoded (a prompt-cache hit encodes none).</summary>
    internal int ImageEncodes => _vision?.ImageEncodes ?? 0;

    /// <summary>Requests waiting for a free slot.</summary>
    internal int QueuedJobs => _scheduler.QueuedJobs;

    /// <summary>
    /// Tokens one request (prompt plus answer) may use: the context / parallel slots. Tests set it higher to
    /// overcommit the KV cache and see the scheduler survive running out of it.
    /// </summary>
    internal int SlotContextSize
    {
        get => _slotContextSize;
        set => _slotContextSize = value;
    }

    /// <summary>Neither our Jinja engine nor llama.cpp could use the GGUF's chat template and ChatML is used instead (logged at load).</summary>
    internal bool PromptsWithChatMlFallback => _prompts.FellBackToChatMl;

    /// <summary>Prompts come from the GGUF's own chat template, rendered by our Jinja engine.</summary>
    internal bool RendersGgufTemplate => _prompts.RendersGgufTemplate;

    /// <summary>Renders and tokenizes the chat (exposed for tests): control tokens come only from the template.</summary>
    internal ChatPrompt BuildPrompt(IReadOnlyList<ChatMessage> messages, bool enableThinking = false,
        IReadOnlyList<object?>? tools = null, IReadOnlyDictionary<string, object?>? templateVariables = null)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _prompts.Build(messages, enableThinking, tools, templateVariables);
        }
    }

    private GenerationJob CreateJob(ChatRequest request, long startedAt, ChannelWriter<GenerationEvent> events, CancellationToken cancellation)
    {
        SamplerFactory.Validate(request.Sampling ?? new SamplingOptions(), Info.VocabularySize);
        if (request.MaxTokens is < 1)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"max_tokens must be at least 1, not {request.MaxTokens}", param: "max_tokens");
        }

        var stops = (request.Stop ?? []).Where(s => !string.IsNullOrEmpty(s)).ToArray();

        // Tokenizing reads the model's vocabulary: under the gate, so the weights cannot be freed meanwhile.
        var prompt = BuildPrompt(request.Messages, request.EnableThinking, request.Tools, request.TemplateVariables);
        try
        {
            return CreateJob(request, prompt, stops, startedAt, events, cancellation);
        }
        catch
        {
            prompt.Dispose();
            throw;
        }
    }

    private GenerationJob CreateJob(ChatRequest request, ChatPrompt prompt, string[] stops, long startedAt, ChannelWriter<GenerationEvent> events, CancellationToken cancellation)
    {
        var room = _slotContextSize - prompt.Cells;
        if (room < 1)
        {
            var holds = _parallel == 1
                ? $"the context holds {Info.ContextSize}"
                : $"each of the {_parallel} parallel slots holds {_slotContextSize} of the context's {Info.ContextSize}";
            throw new EngineException(EngineErrorKind.InvalidRequest,
                $"the prompt has {prompt.Tokens.Length} tokens, {holds} (and needs room for one more): " +
                "shorten the messages or load the model with a larger context",
                code: "context_length_exceeded", param: "messages");
        }

        var maxTokens = Math.Min(request.MaxTokens ?? int.MaxValue, room);
        var sampler = SamplerFactory.Create(request.Sampling ?? new SamplingOptions(), Info.VocabularySize,
            request.IgnoreEos ? _endOfGeneration : []);
        return new GenerationJob(prompt, sampler, maxTokens, stops, request.IgnoreEos, startedAt, events, cancellation);
    }
}
