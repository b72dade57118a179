using System.CommandLine;
using Nexa.Runner.Host;

namespace Nexa.Cli.Commands;

/// <summary>
/// <c>nexa runner</c>, hidden: the process the server starts for each loaded model (see RunnerLauncher). It loads the
/// model with the real engine, serves it over gRPC on a Unix socket, and exits when its stdin closes or on SIGTERM.
/// </summary>
internal static class RunnerCommand
{
    public static Command Create(CliEnvironment env) =>
        RunnerCommandLine.Create(env.Error, ModelLoader.LoadRealModelAsync, NexaCli.Verbose);
}
