using System.CommandLine;
using Nexa.Hub;

namespace Nexa.Cli.Commands;

internal static class RemoveCommand
{
    public static Command Create(CliEnvironment env)
    {
        var names = new Argument<string[]>("model") { Description = "Models to delete (org/repo)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("remove", "Delete pulled models") { names };
        command.Aliases.Add("rm");
        command.SetAction(parsed =>
        {
            var ctx = CommandContext.From(parsed, env);
            var failed = 0;
            foreach (var text in parsed.GetValue(names) ?? [])
            {
                // Any case finds the folder, pulled or unfinished (as the pull that made it did).
                var name = ctx.Store.Spelling(ModelName.Parse(text));
                if (ctx.Store.Remove(name))
                {
                    env.Out.WriteLine($"removed {name.Id}");
                }
                else
                {
                    env.Error.WriteLine($"error: {StoreNames.NotPulled(ctx.Store, name)}");
                    failed++;
                }
            }
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
