namespace Nexa.Cli;

/// <summary>
/// What a command may touch of the outside world: output streams, environment variables and whether a person
/// sits at a terminal. Tests pass their own, so commands run in-process exactly as they do for a user.
/// </summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> Variable, bool IsInteractive)
{
    public static CliEnvironment FromProcess() => new(
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariable,
        !Console.IsInputRedirected && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb");
}
