using System.CommandLine;
using Nexa.Cli.Progress;
using Nexa.Cli.Repl;
using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Hub;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;

namespace Nexa.Cli.Commands;

/// <summary>
/// `nexa infer`: the chat REPL on the engine in this process, or for embedders and rerankers their one-shot modes
/// (<see cref="InferEmbeddings"/>); pulls the model first when it is missing.
/// </summary>
internal static class InferCommand
{
    public static Command Create(CliEnvironment env)
    {
        var flags = new ChatFlags();
        var embeddingFlags = new EmbeddingFlags();
        var imageFlags = new ImageGenFlags();
        var contextSize = new Option<int>("--nctx") { Description = "Context size in tokens", DefaultValueFactory = _ => 4096 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0: one per core)" };
        var command = new Command("infer", "Chat with a model in the terminal, embed texts or rerank documents, in-process (pulls it first if needed)") { contextSize, threads };
        flags.AddTo(command);
        embeddingFlags.AddTo(command);
        imageFlags.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var ctx = CommandContext.From(parsed, env);
            var name = ModelName.Parse(parsed.GetRequiredValue(flags.Model));
            var template = await flags.TemplateAsync(parsed, ct);
            var imageMaxLength = flags.ImageMaxLengthOf(parsed);
            var nctx = parsed.GetValue(contextSize);
            if (nctx < 64)
                throw new CliException("--nctx must be at least 64", ExitCodes.Usage);

            var model = StoreNames.FindPulled(ctx.Store, name) ?? await PullAsync(ctx, name, ct);
            name = name with { Org = model.Name.Org, Repo = model.Name.Repo }; // as pulled: Me/Tiny runs me/tiny
            var quant = model.ChooseQuant(name.Quant) ?? await PullQuantAsync(ctx, name, ct);
            var type = model.Manifest.ModelType;
            var path = ctx.Store.Find(name)!.ModelPath(quant);
            var options = new EngineOptions { ContextSize = nctx, Threads = Math.Max(0, parsed.GetValue(threads)) };
            if (type is ModelTypes.Embedder or ModelTypes.Reranker)
                return await InferEmbeddings.RunAsync(parsed, ctx, flags, embeddingFlags, $"{name.Id}:{quant}", path, options, type, ct);
            if (type is ModelTypes.ImageGen)
                return await InferImages.RunAsync(parsed, ctx, flags, imageFlags, $"{name.Id}:{quant}", path, options, ct);
            if (type is not (ModelTypes.Llm or ModelTypes.Vlm))
                throw new CliException($"not supported yet: {name.Id} is a {type} model; nexa infer runs llm, vlm, embedder, reranker and image_gen models");
            if (imageFlags.AnyGiven(parsed))
                throw new CliException($"{name.Id} is a chat model ({type}): -o, --size, --steps, --guidance-scale, -n and --negative-prompt are for image models", ExitCodes.Usage);
            if (embeddingFlags.AnyGiven(parsed))
                throw new CliException($"{name.Id} is a chat model ({type}): -q, -d and --task-type are for rerankers and embedders", ExitCodes.Usage);

            NativeLogging.Configure(ctx.Verbose, env.Error);
            await env.Error.WriteLineAsync($"loading {name.Id}:{quant}…");
            TextModel loaded;
            try
            {
                // A vision model's projector loads beside it, so image paths typed in the prompt can be seen.
                var projector = type == ModelTypes.Vlm ? ctx.Store.Find(name)!.MMProjPath : null;
                loaded = await TextModel.LoadAsync(path, projector, options, ct);
            }
            catch (EngineException e)
            {
                throw new CliException(e.Message);
            }
            await using var backend = new LocalChatBackend(loaded);
            var repl = new ChatRepl(backend, env, template, parsed.GetValue(flags.SystemPrompt), parsed.GetValue(flags.HideThink),
                imageMaxLength);
            var prompts = parsed.GetValue(flags.Prompt) ?? [];
            return prompts.Length > 0 ? await repl.RunPromptsAsync(prompts, ct) : await repl.RunInteractiveAsync(ct);
        });
        return command;
    }

    private static async Task<StoredModel> PullAsync(CommandContext ctx, ModelName name, CancellationToken ct)
    {
        await ctx.Env.Error.WriteLineAsync($"{name.Id} is not pulled yet; pulling it");
        await PullQuantAsync(ctx, name, ct);
        return StoreNames.FindPulled(ctx.Store, name) ?? throw new CliException($"pulling {name.Id} did not leave a model in the store");
    }

    private static async Task<string> PullQuantAsync(CommandContext ctx, ModelName name, CancellationToken ct)
    {
        using var http = PullCommand.CreateHttpClient();
        var hub = new HubClient(http, HubSettings.FromEnvironment(ctx.Env.Variable));
        await using var progress = PullProgress.Create(ctx.Env with { Out = ctx.Env.Error });
        var puller = new ModelPuller(ctx.Store, hub, new FileDownloader(http, hub, new DownloadOptions()), progress);
        var result = await puller.PullAsync(new PullRequest(name), ct);
        return result.Quant;
    }
}
