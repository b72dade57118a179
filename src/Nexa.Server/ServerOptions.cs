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

    public int ContextSize { get; init; } = 4096;

    /// <summary>0: one per core.</summary>
    public int Threads { get; init; }

    public int Parallel { get; init; } = 1;
    public int MaxModels { get; init; } = 2;

    /// <summary>Requests waiting for a model beyond this answer 503.</summary>
    public int QueueSize { get; init; } = 64;

    /// <summary>The store's data dir (models/…).</summary>
    public required string DataDir { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Seconds an image answered as a URL stays downloadable (its file under DataDir/images is then deleted).</summary>
    public int ImageTtlSeconds { get; init; } = 3600;

    /// <summary>Request bodies above this many bytes answer 413 (images travel inline as base64, hence 8 MiB).</summary>
    public long MaxBodyBytes { get; init; } = 8 * 1024 * 1024;
}
