using System.CommandLine;
using Nexa.Hub;
using Nexa.Hub.Gguf;
using Nexa.Hub.Store;
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
                table.AddColumn("TYPE").AddColumn("ARCH").AddColumn(new TableColumn("CTX").RightAligned()).AddColumn("FILES");
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
                    var (arch, context) = ReadHeader(model);
                    cells.Add(Markup.Escape(arch));
                    cells.Add(context);
                    cells.Add(Markup.Escape(string.Join("\n", model.Manifest.AllFiles.Where(f => f.Downloaded).Select(f => model.PathOf(f.Name)))));
                }
                table.AddRow([.. cells]);
            }
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    // An image pipeline's model file is its model_index.json: its diffusers class (StableDiffusionXLPipeline…).
    private static string PipelineClass(string modelIndex)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(modelIndex));
            return json.RootElement.TryGetProperty("_class_name", out var name) && name.GetString() is { } text ? text : "?";
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return "unreadable";
        }
    }

    // The GGUF header of the quant a request without one would load: architecture and training context.
    private static (string Arch, string Context) ReadHeader(StoredModel model)
    {
        if (model.ChooseQuant(null) is not { } quant)
            return ("?", "?");
        if (model.Manifest.ModelType == ModelTypes.ImageGen)
            return (PipelineClass(model.ModelPath(quant)), "-");
        try
        {
            var gguf = GgufReader.Read(model.ModelPath(quant));
            var context = gguf.Architecture is { } a ? gguf.GetInt64($"{a}.context_length") : null;
            return (gguf.Architecture ?? "?", context?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?");
        }
        catch (Exception e) when (e is HubException or IOException)
        {
            return ("unreadable", "?");
        }
    }
}
