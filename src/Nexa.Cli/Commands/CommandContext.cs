using System.CommandLine;
using Nexa.Hub.Store;

namespace Nexa.Cli.Commands;

/// <summary>What every command reads from the global options.</summary>
internal sealed record CommandContext(CliEnvironment Env, ModelStore Store, bool Verbose)
{
    public static CommandContext From(ParseResult parsed, CliEnvironment env)
    {
        var dataDir = parsed.GetValue(NexaCli.DataDir);
        return new CommandContext(
            env,
            new ModelStore(string.IsNullOrWhiteSpace(dataDir) ? ModelStore.DefaultDataDir(env.Variable) : dataDir),
            parsed.GetValue(NexaCli.Verbose));
    }
}
