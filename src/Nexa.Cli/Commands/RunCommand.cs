using System.CommandLine;
using Nexa.Cli.Repl;
using Nexa.Hub;

namespace Nexa.Cli.Commands;

/// <summary>`nexa run`: the chat REPL against a running `nexa serve` (at NEXA_HOST), streaming every turn.</summary>
internal static class RunCommand
{
    public static Command Create(CliEnvironment env)
    {
        var flags = new ChatFlags();
        var command = new Command("run", "Chat with a model through a running nexa serve (NEXA_HOST, default 127.0.0.1:18181)");
        flags.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var name = ModelName.Parse(parsed.GetRequiredValue(flags.Model));
            var template = await flags.TemplateAsync(parsed, ct);
            var imageMaxLength = flags.ImageMaxLengthOf(parsed);
            await using var backend = await ServerChatBackend.ConnectAsync(name.ToString(), env, ct);
            var repl = new ChatRepl(backend, env, template, parsed.GetValue(flags.SystemPrompt), parsed.GetValue(flags.HideThink),
                imageMaxLength);
            var prompts = parsed.GetValue(flags.Prompt) ?? [];
            return prompts.Length > 0 ? await repl.RunPromptsAsync(prompts, ct) : await repl.RunInteractiveAsync(ct);
        });
        return command;
    }
}
