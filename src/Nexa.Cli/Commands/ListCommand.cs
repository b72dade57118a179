using System.CommandLine;
using Nexa.Hub;
using Spectre.Console;

namespace Nexa.Cli.Commands;

internal static class ListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("list", "List pulled models: NAME, SIZE, QUANTS (-v adds TYPE and file paths)");
        command.Aliases.Add("ls");
        command.SetAction(parsed =>
        {
            var ctx = CommandContext.From(parsed, env);
            var models = ctx.Store.List();
            if (models.Count == 0)
            {
                env.Out.WriteLine($"No models pulled yet (store: {ctx.Store.ModelsDir}). Try: nexa pull NexaAI/Qwen3-0.6B-GGUF");
                return ExitCodes.Ok;
            }
            var console = Consoles.For(env.Out, env.IsInteractive);
            var table = new Table().Border(TableBorder.Simple);
            table.AddColumn("NAME").AddColumn(new TableColumn("SIZE").RightAligned()).AddColumn("QUANTS");
            if (ctx.Verbose)
                table.AddColumn("TYPE").AddColumn("FILES");
            foreach (var model in models)
            {
                var cells = new List<string>
                {
                    Markup.Escape(model.Name.Id),
                    Bytes.Format(model.Manifest.TotalSize),
                    Markup.Escape(string.Join(", ", model.Manifest.DownloadedQuants)),
                };
                if (ctx.Verbose)
                {
                    cells.Add(Markup.Escape(model.Manifest.ModelType));
                    cells.Add(Markup.Escape(string.Join("\n", model.Manifest.AllFiles.Where(f => f.Downloaded).Select(f => model.PathOf(f.Name)))));
                }
                table.AddRow([.. cells]);
            }
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
