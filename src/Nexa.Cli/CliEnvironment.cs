namespace Nexa.Cli;

/// <summary>
/// What a command may touch of the outside world: input and output streams, environment variables, Ctrl-C,
/// and whether a person sits at a terminal. Tests pass their own, so commands run in-process as for a user.
/// </summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> Variable, bool IsInteractive)
{
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Ctrl-C: cancels the command, unless something (an answer being streamed) took it over.</summary>
    public Interrupts Interrupts { get; init; } = new();

    public static CliEnvironment FromProcess() => new(
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariable,
        !Console.IsInputRedirected && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb")
    {
        In = Console.In,
    };
}

/// <summary>Routes Ctrl-C: by default it cancels the running command; a REPL redirects it to stop only the answer.</summary>
public sealed class Interrupts
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _command = new();
    private Action? _redirect;

    /// <summary>Cancelled when Ctrl-C arrives and nothing redirected it.</summary>
    public CancellationToken Command => _command.Token;

    /// <summary>While the returned handle lives, Ctrl-C calls <paramref name="onInterrupt"/> instead (the innermost wins).</summary>
    public IDisposable Redirect(Action onInterrupt)
    {
        lock (_gate)
        {
            var previous = _redirect;
            _redirect = onInterrupt;
            return new Release(this, previous);
        }
    }

    public void Raise()
    {
        Action? redirect;
        lock (_gate)
            redirect = _redirect;
        if (redirect is not null)
            redirect();
        else
            _command.Cancel();
    }

    private sealed class Release(Interrupts owner, Action? previous) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
                owner._redirect = previous;
        }
    }
}
