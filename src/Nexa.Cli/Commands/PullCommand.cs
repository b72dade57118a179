using System.CommandLine;
using System.Net;
using Nexa.Cli.Progress;
using Nexa.Hub;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Spectre.Console;

namespace Nexa.Cli.Commands;

internal static class PullCommand
{
    public static Command Create(CliEnvironment env)
    {
        var model = new Argument<string>("model") { Description = "org/repo[:QUANT], e.g. NexaAI/Qwen3-0.6B-GGUF:Q8_0 (a bare name means NexaAI/<name>)" };
        var hubOption = new Option<string>("--model-hub") { Description = "Where to pull from: hf (Hugging Face, or HF_ENDPOINT) or localfs (with --local-path)", DefaultValueFactory = _ => "hf" };
        hubOption.AcceptOnlyFromAmong("hf", "huggingface", "localfs");
        var localPath = new Option<string?>("--local-path") { Description = "Import a local GGUF file or a folder of them instead of downloading" };
        var modelType = new Option<string?>("--model-type") { Description = "Override detection: " + string.Join("|", ModelTypes.All) };
        modelType.AcceptOnlyFromAmong([.. ModelTypes.All]);
        var connections = new Option<int>("--connections") { Description = "Parallel connections per file", DefaultValueFactory = _ => 4 };

        var command = new Command("pull", "Download a model from Hugging Face (or import local GGUF files)") { model, hubOption, localPath, modelType, connections };
        command.SetAction(async (parsed, ct) =>
        {
            var ctx = CommandContext.From(parsed, env);
            var name = ModelName.Parse(parsed.GetRequiredValue(model));
            var type = parsed.GetValue(modelType);
            var local = parsed.GetValue(localPath);
            if (parsed.GetValue(hubOption) == "localfs" && local is null)
                throw new CliException("--model-hub localfs needs --local-path <file or folder>", ExitCodes.Usage);

            await using var progress = PullProgress.Create(env);
            PullResult result;
            if (local is not null)
            {
                result = await new LocalImporter(ctx.Store, progress).ImportAsync(name, local, type, ct);
            }
            else
            {
                using var http = CreateHttpClient();
                var hub = new HubClient(http, HubSettings.FromEnvironment(env.Variable));
                var downloader = new FileDownloader(http, hub, new DownloadOptions { Connections = Math.Clamp(parsed.GetValue(connections), 1, 16) });
                var request = new PullRequest(name) { ModelType = type, ChooseQuant = (quants, fallback) => AskQuant(env, quants, fallback) };
                result = await new ModelPuller(ctx.Store, hub, downloader, progress).PullAsync(request, ct);
            }
            await progress.DisposeAsync();

            if (result.AlreadyPulled)
            {
                env.Out.WriteLine($"{result.Name} is already pulled; nothing to do");
            }
            else
            {
                var rate = result.Elapsed.TotalSeconds > 0 ? result.BytesDownloaded / result.Elapsed.TotalSeconds : 0;
                env.Out.WriteLine($"pulled {result.Name} ({result.Manifest.ModelType}, {Bytes.Format(result.Manifest.TotalSize)})"
                    + (result.BytesDownloaded > 0 ? $" in {result.Elapsed.TotalSeconds:0.0} s, {Bytes.Format((long)rate)}/s" : ""));
                if (ctx.Verbose)
                    env.Out.WriteLine($"  in {ctx.Store.ModelDir(name)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = 32,
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"nexa-dotnet/{typeof(PullCommand).Assembly.GetName().Version?.ToString(3)}");
        return http;
    }

    /// <summary>Asks which quant to pull when a person is at the terminal; otherwise takes the default (and the puller says so).</summary>
    private static string? AskQuant(CliEnvironment env, IReadOnlyList<QuantFiles> quants, string fallback)
    {
        if (!env.IsInteractive)
            return null;
        var console = Consoles.For(env.Out, interactive: true);
        var labels = quants.ToDictionary(q => $"{q.Quant,-8} {Bytes.Format(q.Size),10}{(q.Quant == fallback ? "  (default)" : "")}", q => q.Quant);
        var prompt = new SelectionPrompt<string>()
            .Title("Which quant?")
            .AddChoices(labels.Keys.OrderBy(l => labels[l] == fallback ? 0 : 1));
        return labels[console.Prompt(prompt)];
    }
}
