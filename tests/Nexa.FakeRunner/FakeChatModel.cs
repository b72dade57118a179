using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Nexa.Engine;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Store;
using Nexa.Runner;

namespace Nexa.FakeRunner;

/// <summary>
/// A stand-in engine for tests of the runner and the server (<c>the test-only fake runner, tests/Nexa.FakeRunner</c>): deterministic, no
/// native code. Started as an embedder or a reranker it serves only those (<see cref="FakeEmbeddings"/>), as an
/// image_gen model only image generation (<see cref="FakeImages"/>). It echoes the last user message one word per event, honours MaxTokens, Stop and Parallel (a request
/// waits for a free slot like a real sequence), and takes magic user messages (<see cref="Magic"/>) that make it fail
/// the ways a real engine does. Its chat template is <see cref="FakeTemplate"/>.
/// </summary>
public sealed class FakeChatModel : ILoadedModel
{
    /// <summary>User messages that make the fake misbehave on purpose.</summary>
    public static class Magic
    {
        /// <summary>Two deltas, then <see cref="Environment.FailFast(string)"/>: a native abort mid-stream.</summary>
        public const string Crash = "__crash__";

        /// <summary>Thousands of deltas, <see cref="SlowTokenDelay"/> apart: time to cancel or kill mid-stream.</summary>
        public const string Slow = "__slow__";

        /// <summary>InvalidRequest, code context_length_exceeded, param messages.</summary>
        public const string Error = "__error__";

        /// <summary>An unexpected exception inside the engine (not an EngineException).</summary>
        public const string Bug = "__bug__";

        /// <summary>One delta that describes the request as received (<see cref="Describe"/>): proves the wire keeps every field.</summary>
        public const string EchoRequest = "__echo_request__";
    }

    public static readonly TimeSpan TokenDelay = TimeSpan.FromMilliseconds(2);
    public static readonly TimeSpan SlowTokenDelay = TimeSpan.FromMilliseconds(20);
    public const int SlowTokenCount = 10_000;

    /// <summary>A reasoning delta sent first when thinking is on.</summary>
    public const string ReasoningText = "pondering";

    private readonly SemaphoreSlim _slots;
    private readonly EmbeddingModelKind? _kind;
    private readonly bool _isImageModel;

    /// <param name="modelType">As started (<c>--model-type</c>): embedder and reranker serve only embeddings or reranking (<see cref="FakeEmbeddings"/>).</param>
    public FakeChatModel(string path, EngineOptions options, string modelType = ModelTypes.Llm)
    {
        _kind = modelType switch
        {
            ModelTypes.Embedder => EmbeddingModelKind.Embedder,
            ModelTypes.Reranker => EmbeddingModelKind.Reranker,
            _ => null,
        };
        _isImageModel = modelType == ModelTypes.ImageGen;
        Info = _isImageModel
            ? new TextModelInfo(path, "fake", 0, 0, 0, HasChatTemplate: false) { Image = FakeImages.Info }
            : new TextModelInfo(path, "fake", options.ContextSize, TrainingContextSize: 32_768, VocabularySize: 256, HasChatTemplate: _kind is null)
        {
            Embedding = _kind is { } kind
                ? new EmbeddingModelInfo(kind, FakeEmbeddings.Dimensions, kind == EmbeddingModelKind.Reranker ? EmbeddingPooling.Rank : EmbeddingPooling.Mean, options.ContextSize)
                : null,
        };
        _slots = new SemaphoreSlim(Math.Max(1, options.Parallel));
    }

    public TextModelInfo Info { get; }

    /// <summary>The fake runner's model loader: fails like llama.cpp on a missing file or one that is not GGUF.</summary>
    public static async Task<ILoadedModel> LoadAsync(RunnerStartInfo start, CancellationToken ct)
    {
        if (start.ModelType == ModelTypes.ImageGen)
            return await LoadImageModelAsync(start, ct);
        var magic = new byte[4];
        try
        {
            await using var file = File.OpenRead(start.ModelPath);
            await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot open the model file: {e.Message}");
        }
        if (!magic.AsSpan().SequenceEqual("GGUF"u8))
        {
            // What llama.cpp says in its log before it gives up; the server shows the runner's last lines.
            await Console.Error.WriteLineAsync($"gguf_init_from_file_impl: invalid magic characters: '{Encoding.ASCII.GetString(magic)}', expected 'GGUF'");
            throw new EngineException(EngineErrorKind.LoadFailed, "llama.cpp could not load the model file: not a GGUF file");
        }
        return new FakeChatModel(start.ModelPath, start.Options, start.ModelType);
    }

    /// <summary>An image model's path is its pipeline's model_index.json: it must be a JSON object, as the real loader reads it.</summary>
    private static async Task<ILoadedModel> LoadImageModelAsync(RunnerStartInfo start, CancellationToken ct)
    {
        try
        {
            await using var file = File.OpenRead(start.ModelPath);
            using var json = await System.Text.Json.JsonDocument.ParseAsync(file, cancellationToken: ct);
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                throw new EngineException(EngineErrorKind.LoadFailed, "model_index.json is not a JSON object");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot read the pipeline's model_index.json: {e.Message}");
        }
        return new FakeChatModel(start.ModelPath, start.Options, start.ModelType);
    }

    public Task<Engine.Images.ImageGenerationResult> GenerateImagesAsync(
        Engine.Images.ImageGenerationRequest request, IProgress<Engine.Images.ImageGenerationProgress>? progress, CancellationToken ct) => _isImageModel
        ? FakeImages.GenerateAsync(request, progress, ct)
        : throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "generate images", "it is not an image generation model");

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        if (_isImageModel)
            throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "chat", "it is an image generation model");
        if (_kind is not null)
            throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "chat", "it is an embedding model");
        if (request.Messages.Count == 0)
            throw new EngineException(EngineErrorKind.InvalidRequest, "messages must not be empty", ErrorCodes.InvalidValue, "messages");
        var lastUser = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
        var promptTokens = request.Messages.Sum(m => Words(m.Content).Length);
        if (lastUser == Magic.Error || promptTokens > Info.ContextSize)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest,
                $"This model's maximum context length is {Info.ContextSize} tokens, but the messages are longer.", ErrorCodes.ContextLengthExceeded, "messages");
        }
        if (lastUser == Magic.Bug)
            throw new InvalidOperationException("the fake engine's simulated bug");

        await _slots.WaitAsync(ct);
        try
        {
            var clock = Stopwatch.StartNew();
            var firstToken = TimeSpan.Zero;
            var completion = 0;
            if (lastUser == Magic.EchoRequest)
            {
                yield return new TextDelta(Describe(request), IsReasoning: false);
                yield return new GenerationFinished(FinishReason.Stop, promptTokens, 1, clock.Elapsed, clock.Elapsed);
                yield break;
            }

            if (request.ToolChoice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named)
            {
                // A forced call: the named tool (or the first), its arguments in two pieces, as an engine streams them.
                var tool = request.ToolChoice.Name ?? request.Tools[0].Name;
                yield return new ToolCallDelta(0, $"call_fake_{tool}", tool, "{\"echo\":");
                yield return new ToolCallDelta(0, null, null, JsonSerializer.Serialize(lastUser) + "}");
                yield return new GenerationFinished(FinishReason.ToolCalls, promptTokens, 2, clock.Elapsed, clock.Elapsed);
                yield break;
            }

            if (request.EnableThinking)
            {
                completion++;
                firstToken = clock.Elapsed;
                yield return new TextDelta(ReasoningText, IsReasoning: true);
            }

            var answer = new StopMatcher(request.Stop);
            var reason = FinishReason.Stop;
            var answerWords = 0;
            foreach (var (word, delay) in Script(lastUser))
            {
                if (request.MaxTokens is { } max && completion >= max)
                {
                    reason = FinishReason.Length;
                    break;
                }
                await Task.Delay(delay, ct);
                if (lastUser == Magic.Crash && completion == 2)
                {
                    await Task.Delay(100, ct); // lets the two deltas reach the client first
                    Environment.FailFast("fake engine: simulated native abort (__crash__)");
                }

                completion++;
                if (firstToken == TimeSpan.Zero)
                    firstToken = clock.Elapsed;
                var (safe, stopped) = answer.Add(answerWords++ == 0 ? word : " " + word);
                if (safe.Length > 0)
                    yield return new TextDelta(safe, IsReasoning: false);
                if (stopped)
                    break;
            }
            if (!answer.Stopped && answer.Flush() is { Length: > 0 } rest)
                yield return new TextDelta(rest, IsReasoning: false);
            yield return new GenerationFinished(reason, promptTokens, completion, firstToken, clock.Elapsed);
        }
        finally
        {
            _slots.Release();
        }
    }

    public Task<string> ApplyTemplateAsync(ChatRequest request, CancellationToken ct)
    {
        if (_isImageModel || _kind is not null)
            throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "apply a chat template", "it has no chat template");
        return Task.FromResult(FakeTemplate.Render(request));
    }

    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct) => _kind == EmbeddingModelKind.Embedder
        ? FakeEmbeddings.EmbedAsync(request, Info.ContextSize, ct)
        : throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "create embeddings", "it is not an embedding model");

    public Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct) => _kind == EmbeddingModelKind.Reranker
        ? FakeEmbeddings.RerankAsync(request, ct)
        : throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "rerank", "it is not a reranker");

    /// <summary>Every field of a request, in one line; the echo test compares it with what was sent.</summary>
    public static string Describe(ChatRequest request)
    {
        var s = request.Sampling;
        var invariant = CultureInfo.InvariantCulture;
        var bias = string.Join(",", s.LogitBias.OrderBy(p => p.Key).Select(p => string.Create(invariant, $"{p.Key}:{p.Value}")));
        var messages = string.Join("|", request.Messages.Select(m => $"{m.Role}:{m.Content}"));
        return string.Create(invariant,
            $"messages=[{messages}] temperature={s.Temperature} top_p={s.TopP} top_k={s.TopK} min_p={s.MinP} " +
            $"repetition_penalty={s.RepetitionPenalty} presence_penalty={s.PresencePenalty} frequency_penalty={s.FrequencyPenalty} " +
            $"seed={s.Seed?.ToString(invariant) ?? "none"} logit_bias={{{bias}}} max_tokens={request.MaxTokens?.ToString(invariant) ?? "none"} " +
            $"stop=[{string.Join("|", request.Stop)}] enable_thinking={request.EnableThinking} ignore_eos={request.IgnoreEos} " +
            $"tools=[{string.Join("|", request.Tools.Select(t => $"{t.Name}:{t.ParametersJson}"))}] tool_choice={request.ToolChoice.Mode}:{request.ToolChoice.Name} " +
            $"parallel_tool_calls={request.ParallelToolCalls} json_schema={request.JsonSchema ?? "none"} grammar={request.Grammar ?? "none"} " +
            $"kwargs={request.TemplateKwargsJson ?? "none"} calls=[{string.Join("|", request.Messages.SelectMany(m => m.ToolCalls).Select(c => $"{c.Id}:{c.Name}:{c.ArgumentsJson}"))}] " +
            $"tool_results=[{string.Join("|", request.Messages.Where(m => m.Role == "tool").Select(m => $"{m.ToolCallId}:{m.Content}"))}]");
    }

    public ValueTask DisposeAsync()
    {
        _slots.Dispose();
        return ValueTask.CompletedTask;
    }

    private static IEnumerable<(string Word, TimeSpan Delay)> Script(string lastUser)
    {
        if (lastUser == Magic.Slow)
            return Enumerable.Range(0, SlowTokenCount).Select(i => ($"tick{i}", SlowTokenDelay));
        if (lastUser == Magic.Crash)
            return new[] { "about", "to", "crash" }.Select(w => (w, TokenDelay));
        return Words(lastUser).Select(w => (w, TokenDelay));
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
