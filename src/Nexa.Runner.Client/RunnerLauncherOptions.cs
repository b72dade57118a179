namespace Nexa.Runner.Client;

/// <summary>How <see cref="RunnerLauncher"/> starts and stops runner processes.</summary>
public sealed record RunnerLauncherOptions
{
    /// <summary>
    /// The program and first arguments that start a runner; the launcher appends <c>--model … --socket …</c>.
    /// Null: this very executable (<see cref="RunnerLauncher.DefaultCommandLine"/>). Tests start a fake engine's runner here.
    /// </summary>
    public IReadOnlyList<string>? RunnerCommandLine { get; init; }

    /// <summary>How long a runner may take to load its model and answer.</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a runner told to exit (stdin closed) gets before it is killed.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Where sockets go; null: $XDG_RUNTIME_DIR/nexa, else a per-user folder under the temp dir.</summary>
    public string? SocketDirectory { get; init; }

    /// <summary>How many of a runner's last output lines are kept for error messages.</summary>
    public int LogLines { get; init; } = 50;

    /// <summary>Sees every line a runner writes (the server shows them with -v).</summary>
    public Action<string>? RunnerOutput { get; init; }
}
