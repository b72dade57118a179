using System.CommandLine;

namespace Nexa.Cli.Commands;

internal static class CleanCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("clean", "Delete every pulled model (and unfinished pulls)");
        command.SetAction(parsed =>
        {
            var ctx = CommandContext.From(parsed, env);
            var removed = ctx.Store.Clean();
            env.Out.WriteLine($"removed {removed} model{(removed == 1 ? "" : "s")}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
