namespace Nexa.Server;

/// <summary>Everything `nexa serve` can be told, with the original's defaults.</summary>
public sealed record ServerOptions
{
    /// <summary>host:port as the original's --host; port 0 picks a free port (tests).</summary>
    public string Host { get; init; } = "127.0.0.1:18181";

    /// <summary>CORS origins: "*" or a comma-separated list; empty disables CORS.</summary>
    public string Origins { get; init; } = "*";

    /// <summary>Seconds an idle model stays loaded.</summary>
    public int KeepAliveSeconds { get; init; } = 300;

    public bool Https { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }

    /// <summary>When set, every /v1 route needs Authorization: Bearer &lt;key&gt;.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// Tokens of context each request may use (prompt + answer). A chat model's KV cache holds this for each of its
    /// <see cref="Parallel"/> slots (as Ollama's num_ctx × num_parallel); embedding models use it once.
    /// </summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>0: one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Generations one chat model runs at once, batched together (llama-server's --parallel).</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>
    /// A cap on the models resident at once; null (the default): no cap, the memory budget alone decides, so a RAG
    /// flow's embedder, reranker and chat model stay loaded side by side instead of evicting each other per request.
    /// </summary>
    public int? MaxModels { get; init; }

    /// <summary>Reuse the KV cache of the longest matching prompt prefix (chat history, shared system prompts).</summary>
    public bool PromptCache { get; init; } = true;

    /// <summary>
    /// Bytes the loaded models may take together (estimated: weights + KV cache + runner); the least recently used
    /// idle model unloads to make room. Defaults to <see cref="AutoMemoryBudgetBytes"/>; 0: no budget.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = AutoMemoryBudgetBytes();

    /// <summary>
    /// The default budget: 80 % of the memory this process may use, as the runtime sees it (the machine's, or the
    /// container's limit), leaving the rest to the server, the OS and everything else on the machine.
    /// </summary>
    public static long AutoMemoryBudgetBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 5 * 4;

    /// <summary>Requests waiting for a model beyond this answer 503.</summary>
    public int QueueSize { get; init; } = 64;

    /// <summary>The store's data dir (models/…).</summary>
    public required string DataDir { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Seconds an image answered as a URL stays downloadable (its file under DataDir/images is then deleted).</summary>
    public int ImageTtlSeconds { get; init; } = 3600;

    /// <summary>Request bodies above this many bytes answer 413 (images travel inline as base64, hence 8 MiB).</summary>
    public long MaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Read image paths and file:// URLs on this machine for clients even when listening on the network
    /// (on loopback they are always read: the clients are this machine's users).
    /// </summary>
    public bool AllowLocalFiles { get; init; }

    /// <summary>Fetch image URLs that resolve to loopback or private addresses even when listening on the network.</summary>
    public bool AllowPrivateUrls { get; init; }

    /// <summary>Names clients send that stand for pulled models (<c>--alias gpt-4o-mini=org/repo</c>); a later one wins.</summary>
    public IReadOnlyList<ModelAlias> Aliases { get; init; } = [];

    /// <summary>How long one remote image may take to arrive (tests shorten it).</summary>
    public TimeSpan ImageFetchTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
