namespace Nexa.Runner.Host;

/// <summary>How a runner process serves its model: what to load and where to listen.</summary>
public sealed record RunnerHostOptions
{
    public required RunnerStartInfo Start { get; init; }

    /// <summary>The Unix socket to listen on; a stale file left there by a killed runner is replaced.</summary>
    public required string SocketPath { get; init; }

    /// <summary>Where the runner's one-line errors go: its stderr, which the server keeps the last lines of.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>End when stdin reaches its end: the server closed it (unload) or died.</summary>
    public bool ExitWhenStandardInputCloses { get; init; } = true;

    /// <summary>How long in-flight calls get to end when the runner is told to stop.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>A runner's exit codes: the server tells a failed load from a crash by them.</summary>
public static class RunnerExitCodes
{
    public const int Ok = 0;

    /// <summary>The model could not be loaded; the reason is the last "error: …" line on stderr.</summary>
    public const int LoadFailed = 3;

    /// <summary>The socket could not be bound (another runner listens there, or the folder is not writable).</summary>
    public const int ListenFailed = 4;
}
