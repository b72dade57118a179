namespace Nexa.Engine.Text;

// The engine's own types for a chat generation. They carry no JSON and no HTTP: the server maps OpenAI
// requests onto them, the runner carries them over gRPC, and the scheduler consumes them.

/// <summary>How a text model is loaded. Every size is explicit: llama.cpp's defaults are unsafe (see ARCHITECTURE.md).</summary>
public sealed record EngineOptions
{
    /// <summary>Tokens of KV cache (shared by all sequences). Never the model's training context by default.</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>CPU threads for decoding; 0 means one per core of this machine.</summary>
    public int Threads { get; init; }

    public int BatchSize { get; init; } = 512;

    /// <summary>Tokens per physical compute step (llama.cpp's n_ubatch); clamped to <see cref="BatchSize"/>.</summary>
    public int UBatchSize { get; init; } = 512;

    /// <summary>Layers to offload to a GPU when a GPU backend is installed; 0 on CPU-only machines.</summary>
    public int GpuLayers { get; init; }

    /// <summary>
    /// Sequence slots the scheduler runs at once (continuous batching: one decode step serves them all). They share
    /// the KV cache, and each is given an equal part: a request's prompt plus answer must fit in
    /// <see cref="ContextSize"/> / <see cref="Parallel"/> tokens (as llama-server's n_ctx / n_parallel).
    /// </summary>
    public int Parallel { get; init; } = 1;

    /// <summary>
    /// Keep each slot's KV after its request ends and let the next request that starts the same way (a chat one turn
    /// longer) skip the shared prefix. Off: every prompt is decoded in full.
    /// </summary>
    public bool PromptCache { get; init; } = true;
}

/// <summary>
/// One chat message: <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>. <see cref="Images"/> are placed into
/// <see cref="Content"/> at their positions.
/// </summary>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>Images of this message (vision models only), in order of <see cref="ChatImage.Position"/>.</summary>
    public IReadOnlyList<ChatImage> Images { get; init; } = [];

    /// <summary>An assistant message's tool calls (its <see cref="Content"/> may then be empty).</summary>
    public IReadOnlyList<ChatToolCall> ToolCalls { get; init; } = [];

    /// <summary>A <c>tool</c> message: the call it answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>A <c>tool</c> message: the function's name, where the client sent it.</summary>
    public string? Name { get; init; }
}

/// <summary>
/// One image of a chat message. <paramref name="Data"/> is an encoded image file as the user sent it (PNG, JPEG, WebP,
/// GIF or BMP; the server has only checked its size and header): the engine decodes it and shrinks it to
/// <see cref="MaxLength"/> before the prompt is built. <paramref name="Position"/> is the character index in the
/// message's <see cref="ChatMessage.Content"/> where the image sits (0 = before the text, Content.Length = after it).
/// The position, not a marker string in the text, places the image, so user text can never inject one.
/// </summary>
public sealed record ChatImage(byte[] Data, int Position)
{
    /// <summary>Where the image came from in the client's request (<c>messages[0].content[1].image_url.url</c>), for errors.</summary>
    public string? Param { get; init; }

    /// <summary>The longer side, in pixels, the engine shrinks the image to (the original's <c>image_max_length</c>).</summary>
    public int MaxLength { get; init; } = Vision.ImageLimits.DefaultMaxLength;
}

public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 0.8f;
    public float TopP { get; init; } = 0.95f;
    public int TopK { get; init; } = 40;
    public float MinP { get; init; } = 0.05f;
    public float RepetitionPenalty { get; init; } = 1.0f;
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }

    /// <summary>Null: a random seed per request.</summary>
    public uint? Seed { get; init; }

    /// <summary>Token id → bias added to its logit (-100 bans it).</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();
}

public sealed record ChatRequest
{
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Most tokens to generate; null: until the context is full.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Strings that end the answer; never part of the text returned.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>
    /// Qwen3-style thinking on: text inside &lt;think&gt;…&lt;/think&gt; comes back as reasoning. The chat template sees
    /// it as <c>enable_thinking</c> unless <see cref="TemplateKwargsJson"/> sets that itself.
    /// </summary>
    public bool EnableThinking { get; init; }

    /// <summary>Keep generating past end-of-generation tokens (benchmarks).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Functions the model may call; shown to the chat template and parsed out of the answer.</summary>
    public IReadOnlyList<ChatTool> Tools { get; init; } = [];

    public ToolChoice ToolChoice { get; init; } = ToolChoice.Auto;

    /// <summary>Several calls in one answer may be made (OpenAI's default).</summary>
    public bool ParallelToolCalls { get; init; } = true;

    /// <summary>
    /// The answer must be JSON matching this JSON Schema (JSON text); <c>{"type":"object"}</c> for OpenAI's
    /// <c>json_object</c>. Null: free text.
    /// </summary>
    public string? JsonSchema { get; init; }

    /// <summary>
    /// A GBNF grammar (llama.cpp's syntax, start rule <c>root</c>) every answer token must follow; null or empty: none.
    /// Checked before native code sees it (a bad one is <see cref="EngineErrorKind.InvalidRequest"/> naming line:column).
    /// </summary>
    public string? Grammar { get; init; }

    /// <summary>Extra variables for the chat template as a JSON object text (llama-server's <c>chat_template_kwargs</c>).</summary>
    public string? TemplateKwargsJson { get; init; }

    /// <summary>
    /// Makes <see cref="Grammar"/> lazy: the answer is free until one of these words appears in it, then the grammar
    /// applies from the word on (the grammar must therefore start with it), as llama-server does for tool calls.
    /// </summary>
    public IReadOnlyList<string> GrammarTriggerWords { get; init; } = [];

    /// <summary>Makes <see cref="Grammar"/> lazy: free until one of these tokens is sampled, constrained from that token on.</summary>
    public IReadOnlyList<int> GrammarTriggerTokens { get; init; } = [];
}

public enum FinishReason
{
    Stop,
    Length,

    /// <summary>The answer ended with one or more tool calls.</summary>
    ToolCalls,
}

/// <summary>What a generation streams back: text pieces, then exactly one <see cref="GenerationFinished"/>.</summary>
public abstract record GenerationEvent;

/// <summary>A piece of the answer: whole UTF-8 characters, never a stop string or part of one.</summary>
public sealed record TextDelta(string Text, bool IsReasoning) : GenerationEvent;

public sealed record GenerationFinished(FinishReason Reason, int PromptTokens, int CompletionTokens, TimeSpan TimeToFirstToken, TimeSpan Elapsed) : GenerationEvent
{
    /// <summary>Prompt tokens whose KV was reused from an earlier request (the prompt cache), not decoded again.</summary>
    public int CachedTokens { get; init; }
}

/// <summary>What a loaded text model tells about itself.</summary>
public sealed record TextModelInfo(string Path, string? Architecture, int ContextSize, int TrainingContextSize, int VocabularySize, bool HasChatTemplate)
{
    /// <summary>Set for an embedding model or a reranker: its vector length, pooling and input limit.</summary>
    public Embeddings.EmbeddingModelInfo? Embedding { get; init; }

    /// <summary>Set for an image generation pipeline (then <see cref="Path"/> is its folder and the text fields are 0).</summary>
    public Images.ImageModelInfo? Image { get; init; }

    /// <summary>True when a vision projector (mmproj) is loaded beside the text model: messages may carry images.</summary>
    public bool HasVision { get; init; }
}

public enum EngineErrorKind
{
    /// <summary>The request cannot be served as asked (HTTP 400): e.g. a prompt longer than the context.</summary>
    InvalidRequest,

    /// <summary>The model file cannot be loaded (llama.cpp's reason in the message).</summary>
    LoadFailed,

    /// <summary>The engine failed while serving a valid request (HTTP 500).</summary>
    Internal,

    /// <summary>The runner process holding the model died (HTTP 500; the next request starts a new one).</summary>
    Crashed,
}

/// <summary>An engine failure with a message meant for the client; <c>Code</c> is OpenAI's error code when one applies.</summary>
public sealed class EngineException(EngineErrorKind kind, string message, string? code = null, string? param = null, Exception? inner = null)
    : Exception(message, inner)
{
    public EngineErrorKind Kind { get; } = kind;
    public string? Code { get; } = code;
    public string? Param { get; } = param;

    /// <summary>
    /// The one way to say that a model cannot do what a request asks (chat with an embedder, embed with a chat model):
    /// "model 'X' cannot create embeddings: it is a text generation model", a 400 naming <c>model</c>.
    /// </summary>
    public static EngineException ModelCannot(string model, string what, string why) =>
        new(EngineErrorKind.InvalidRequest, $"model '{model}' cannot {what}: {why}", ErrorCodes.ModelNotSupported, "model");
}

/// <summary>
/// One loaded model, wherever it runs (in this process, or in a runner process). A model serves the kinds of
/// request its type allows; the others answer <see cref="EngineErrorKind.InvalidRequest"/> (the server maps
/// request kinds to model types first, so that is a last line of defence).
/// </summary>
public interface ILoadedModel : IAsyncDisposable
{
    TextModelInfo Info { get; }

    /// <summary>True once the model can no longer serve (its runner process died): the server then starts a fresh one.</summary>
    bool HasExited => false;

    /// <summary>What the model holds now: sequences, queue, cache cells, memory (for health and <c>nexa ps</c>).</summary>
    Task<ModelStats> GetStatsAsync(CancellationToken ct) => Task.FromResult(ModelStats.Idle(Info.ContextSize));

    /// <summary>Streams one generation. Cancelling the token stops it and frees its sequence at once.</summary>
    IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, CancellationToken ct);

    /// <summary>
    /// The chat rendered by the model's chat template with the generation prompt: the text generation would tokenize
    /// for <paramref name="request"/> (without the BOS the tokenizer adds by itself), as llama-server's
    /// <c>/apply-template</c> answers it. Only the messages, tools, thinking switch and template variables matter.
    /// </summary>
    Task<string> ApplyTemplateAsync(ChatRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "apply a chat template", "only text and vision models have a chat template here");

    /// <summary>The text's tokens with their bytes (text models).</summary>
    Task<IReadOnlyList<TokenPiece>> TokenizeAsync(TokenizeRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "tokenize", "only text and vision models tokenize here");

    /// <summary>The text of the tokens, control tokens written out (text models); ids outside the vocabulary are refused.</summary>
    Task<string> DetokenizeAsync(IReadOnlyList<int> tokens, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "detokenize", "only text and vision models detokenize here");

    /// <summary>One vector per input, in input order (see <see cref="Embeddings.EmbeddingRequest"/>).</summary>
    Task<Embeddings.EmbeddingResult> EmbedAsync(Embeddings.EmbeddingRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "create embeddings", "it is not an embedding model");

    /// <summary>One relevance score per document, in document order (see <see cref="Embeddings.RerankRequest"/>).</summary>
    Task<Embeddings.RerankResult> RerankAsync(Embeddings.RerankRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "rerank", "it is not a reranker");

    /// <summary>
    /// Generates <see cref="Images.ImageGenerationRequest.Count"/> images (image generation models). Progress is
    /// reported once per denoising step; cancelling the token stops between steps and frees the pipeline.
    /// </summary>
    Task<Images.ImageGenerationResult> GenerateImagesAsync(Images.ImageGenerationRequest request, IProgress<Images.ImageGenerationProgress>? progress, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "generate images", "it is not an image generation model");
}
