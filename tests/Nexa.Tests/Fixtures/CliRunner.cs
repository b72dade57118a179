using System.Text;
using Nexa.Cli;

namespace Nexa.Tests.Fixtures;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;
}

/// <summary>Runs the real <c>nexa</c> command line in-process, with its own environment variables and no terminal.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string?> variables, params string[] args)
    {
        var output = new StringWriter(new StringBuilder());
        var error = new StringWriter(new StringBuilder());
        var env = new CliEnvironment(TextWriter.Synchronized(output), TextWriter.Synchronized(error),
            name => variables.TryGetValue(name, out var value) ? value : null, IsInteractive: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await NexaCli.RunAsync(args, env, timeout.Token);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
