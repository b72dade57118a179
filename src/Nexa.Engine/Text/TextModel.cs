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
    private readonly ToolCalling _tools;
    private readonly VocabularyProfile _vocabulary;
    private readonly CallerGate _callers = new();
    private readonly ChatScheduler _scheduler;
    private readonly LLamaToken[] _endOfGeneration;
    private int _slotContextSize;
    private readonly int _parallel;

    private TextModel(string path, LLamaWeights weights, LLamaContext context, EngineOptions options, VisionProjector? vision)
    {
        _weights = weights;
        _vision = vision;
        _vocabulary = VocabularyProfile.Read(weights);
        _prompts = new ChatPromptBuilder(weights, new LinearTokenizer(weights, _vocabulary), vision, System.IO.Path.GetFileName(path));
        _tools = new ToolCalling(weights.Metadata.GetValueOrDefault("tokenizer.chat_template"), SingleToken);
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
        request = WithSchemaGrammar(request);

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

    public Task<string> ApplyTemplateAsync(ChatRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ct.ThrowIfCancellationRequested();
        // As a prompt is built: on the caller's thread, beside other requests, the weights pinned.
        using (_callers.Enter(this))
        {
            return Task.FromResult(_prompts.RenderText(request.Messages, request.EnableThinking, request.Tools, request.TemplateKwargsJson));
        }
    }

    public Task<IReadOnlyList<TokenPiece>> TokenizeAsync(TokenizeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(VocabularyText.Tokenize(_weights, request));
    }

    public Task<string> DetokenizeAsync(IReadOnlyList<int> tokens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(VocabularyText.Detokenize(_weights, tokens));
    }

    // A JSON schema (response_format json_object / json_schema) is enforced as the grammar our converter writes for it;
    // a keyword it cannot enforce is a 400 naming the schema path, never an unconstrained answer.
    private static ChatRequest WithSchemaGrammar(ChatRequest request)
    {
        if (request.JsonSchema is not { } schema)
            return request;
        if (!string.IsNullOrEmpty(request.Grammar))
            throw new EngineException(EngineErrorKind.InvalidRequest, "send either a grammar or a JSON schema, not both", ErrorCodes.InvalidValue, "grammar");
        try
        {
            return request with { Grammar = Grammar.JsonSchemaGrammar.FromSchema(schema) };
        }
        catch (Grammar.SchemaGrammarException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"the JSON schema cannot be enforced: {e.Message}", ErrorCodes.InvalidValue, "response_format");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_callers.Close(out var drained))
        {
            return;
        }

        // Requests still tokenizing read the vocabulary: the weights go only after they are done.
        await drained.ConfigureAwait(false);
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

    /// <summary>The one token <paramref name="text"/> is in this model's vocabulary (special tokens parsed), or null.</summary>
    private int? SingleToken(string text)
    {
        using (_callers.Enter(this))
        {
            var tokens = _weights.Tokenize(text, false, true, System.Text.Encoding.UTF8);
            return tokens.Length == 1 ? (int)tokens[0] : null;
        }
    }

    /// <summary>Prompts come from the GGUF's own chat template, rendered by our Jinja engine.</summary>
    internal bool RendersGgufTemplate => _prompts.RendersGgufTemplate;

    /// <summary>Renders and tokenizes the chat (exposed for tests): control tokens come only from the template.</summary>
    internal ChatPrompt BuildPrompt(IReadOnlyList<ChatMessage> messages, bool enableThinking = false,
        IReadOnlyList<ChatTool>? tools = null, string? templateKwargsJson = null)
    {
        // Each request tokenizes on its own thread, beside the others: no lock, only a pin on the weights.
        using (_callers.Enter(this))
        {
            return _prompts.Build(messages, enableThinking, tools, templateKwargsJson);
        }
    }

    private GenerationJob CreateJob(ChatRequest request, long startedAt, ChannelWriter<GenerationEvent> events, CancellationToken cancellation)
    {
        SamplerFactory.Validate(request.Sampling ?? new SamplingOptions(), Info.VocabularySize);
        // The client's own grammar (or schema) is checked before the prompt is built: a bad one costs no tokenization.
        var grammar = SamplerFactory.ValidateGrammar(request, Info.VocabularySize, SingleToken);
        if (request.MaxTokens is < 1)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"max_tokens must be at least 1, not {request.MaxTokens}", ErrorCodes.InvalidValue, "max_tokens");
        }

        var stops = (request.Stop ?? []).Where(s => !string.IsNullOrEmpty(s)).ToArray();
        RefuseTextThatCannotFit(request.Messages);

        // Images arrive as the client sent them: decoded and shrunk here, in the engine's process, before the prompt.
        if (_vision is not null)
        {
            request = ChatImagePreparer.Prepare(request);
        }

        var prompt = BuildPrompt(request.Messages, request.EnableThinking, request.Tools, request.TemplateKwargsJson);
        try
        {
            var (toolRequest, tools) = _tools.Prepare(request, prompt.StartsInThinking);
            if (tools is not null && !ReferenceEquals(toolRequest, request))
            {
                grammar = SamplerFactory.ValidateGrammar(toolRequest, Info.VocabularySize, SingleToken);
            }

            return CreateJob(toolRequest, grammar, prompt, stops, startedAt, events, cancellation, tools);
        }
        catch
        {
            prompt.Dispose();
            throw;
        }
    }

    // No token covers more text than the vocabulary's longest piece: text of N bytes is at least N / that many tokens.
    // Text that cannot fit is refused before it is tokenized, so a megabyte of it costs a byte count, not a tokenization.
    private void RefuseTextThatCannotFit(IReadOnlyList<ChatMessage> messages)
    {
        var bytes = (messages ?? []).Sum(m => (long)System.Text.Encoding.UTF8.GetByteCount(m?.Content ?? ""));
        var atLeast = _vocabulary.MinTokens(bytes);
        if (atLeast >= _slotContextSize)
        {
            throw TooLong($"the messages hold {bytes} bytes of text, at least {atLeast} tokens");
        }
    }

    private EngineException TooLong(string what)
    {
        var holds = _parallel == 1
            ? $"the context holds {Info.ContextSize}"
            : $"each of the {_parallel} parallel slots holds {_slotContextSize} of the context's {Info.ContextSize}";
        return new EngineException(EngineErrorKind.InvalidRequest,
            $"{what}, {holds} (and needs room for one more): shorten the messages or load the model with a larger context",
            ErrorCodes.ContextLengthExceeded, "messages");
    }

    private GenerationJob CreateJob(ChatRequest request, Grammar.GbnfGrammar? grammar, ChatPrompt prompt, string[] stops, long startedAt,
        ChannelWriter<GenerationEvent> events, CancellationToken cancellation, ToolAnswerPlan? tools)
    {
        var room = _slotContextSize - prompt.Cells;
        if (room < 1)
        {
            throw TooLong($"the prompt has {prompt.Tokens.Length} tokens");
        }

        var maxTokens = Math.Min(request.MaxTokens ?? int.MaxValue, room);
        LLama.Sampling.ISamplingPipeline sampler;
        using (_callers.Enter(this))
        {
            sampler = grammar is null
                ? SamplerFactory.Create(request.Sampling ?? new SamplingOptions(), Info.VocabularySize, request.IgnoreEos ? _endOfGeneration : [])
                : SamplerFactory.CreateConstrained(request.Sampling ?? new SamplingOptions(), Info.VocabularySize, request, grammar, _weights.NativeHandle);
        }

        return new GenerationJob(prompt, sampler, maxTokens, stops, request.IgnoreEos, startedAt, events, cancellation, tools);
    }
}
