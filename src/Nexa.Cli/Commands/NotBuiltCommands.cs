using System.CommandLine;

namespace Nexa.Cli.Commands;

// Commands whose capability has not landed yet: they exist so `nexa --help` shows the whole tool,
// and they answer a clear "not supported yet" with exit code 1, never a fake success.
internal static class InferCommand
{
    public static Command Create(CliEnvironment env) =>
        NotBuilt.Command("infer", "Chat with a model in the terminal, in-process", "nexa infer (the terminal chat)", env, withModel: true);
}

internal static class NotBuilt
{
    public static Command Command(string name, string description, string what, CliEnvironment env, bool withModel = false)
    {
        var command = new Command(name, description + " (not built yet)") { TreatUnmatchedTokensAsErrors = false };
        if (withModel)
            command.Arguments.Add(new Argument<string?>("model") { Arity = ArgumentArity.ZeroOrOne });
        command.SetAction(_ =>
        {
            env.Error.WriteLine($"error: not supported yet: {what} is not built in this version; `nexa pull`, `list`, `remove` and `clean` work");
            return ExitCodes.Failure;
        });
        return command;
    }
}
