using System.CommandLine;
using System.Runtime.InteropServices;
using Nexa.Cli.Commands;
using Nexa.Hub;

namespace Nexa.Cli;

/// <summary>The <c>nexa</c> command line: the commands, the global options, and the one place errors become exit codes.</summary>
public static class NexaCli
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Where models are stored (env NEXA_DATADIR; default ~/.cache/nexa.ai/nexa_sdk)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show more detail (engine logs, file paths, stack traces)",
        Recursive = true,
    };

    /// <summary>The process entry point: Ctrl-C cancels the running command (exit 130) instead of killing the process.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var env = CliEnvironment.FromProcess();
        using var onCtrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            env.Interrupts.Raise();
        });
        return await RunAsync(args, env, env.Interrupts.Command);
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct)
    {
        var root = BuildRoot(env);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                await env.Error.WriteLineAsync($"error: {error.Message}");
            await env.Error.WriteLineAsync($"See 'nexa {string.Join(' ', CommandPath(parsed))} --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is CliException or HubException)
        {
            await env.Error.WriteLineAsync($"error: {e.Message}");
            if (parsed.GetValue(Verbose))
                await env.Error.WriteLineAsync(e.ToString());
            return e switch
            {
                CliException c => c.ExitCode,
                HubException { Kind: HubErrorKind.InvalidName } => ExitCodes.Usage,
                _ => ExitCodes.Failure,
            };
        }
        catch (Exception e)
        {
            // Unexpected: still no stack trace unless asked for.
            await env.Error.WriteLineAsync($"error: {e.Message}");
            await env.Error.WriteLineAsync(parsed.GetValue(Verbose) ? e.ToString() : "(run with -v for details)");
            return ExitCodes.Failure;
        }
    }

    private static RootCommand BuildRoot(CliEnvironment env)
    {
        var root = new RootCommand("nexa: pull models from Hugging Face and run them locally behind an OpenAI-compatible API.")
        {
            DataDir,
            Verbose,
            PullCommand.Create(env),
            ListCommand.Create(env),
            RemoveCommand.Create(env),
            CleanCommand.Create(env),
            ServeCommand.Create(env),
            InferCommand.Create(env),
            RunCommand.Create(env),
            PsCommand.Create(env),
            VersionCommand.Create(env),
            RunnerCommand.Create(env),
        };
        return root;
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        var result = parsed.CommandResult;
        while (result is { Parent: System.CommandLine.Parsing.CommandResult parent })
        {
            names.Insert(0, result.Command.Name);
            result = parent;
        }
        return names;
    }
}
