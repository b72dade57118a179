using System.CommandLine;
using System.Reflection;
using Nexa.Engine;

namespace Nexa.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("version", "Show the version of nexa and of its inference engine");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            env.Out.WriteLine($"nexa {version.Split('+')[0]}");
            env.Out.WriteLine($"engine: llama.cpp {EngineInfo.LlamaCppCommit[..8]} ({EngineInfo.LlamaCppCommit}) via LLamaSharp {EngineInfo.LlamaSharpVersion}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
