using System.CommandLine;
using Nexa.Cli.Repl;
using Nexa.Engine.Images;
using Nexa.Engine.Text;

namespace Nexa.Cli.Commands;

/// <summary>`nexa infer` for image generation models: one prompt (-p), the image flags, the pipeline in this process.</summary>
internal static class InferImages
{
    /// <summary>Checks the flags first (nothing is loaded for a usage error), then loads the pipeline and generates.</summary>
    public static async Task<int> RunAsync(
        ParseResult parsed, CommandContext ctx, ChatFlags chat, ImageGenFlags flags, string model, string path, EngineOptions options, CancellationToken ct)
    {
        var prompts = parsed.GetValue(chat.Prompt) ?? [];
        if (prompts.Length != 1 || prompts[0].Length == 0)
            throw new CliException($"{model} generates images: give one prompt with -p \"…\" (and the file with -o)", ExitCodes.Usage);
        var count = parsed.GetValue(flags.Count);
        if (count is < 1 or > 4)
            throw new CliException($"-n must be from 1 to 4, not {count}", ExitCodes.Usage);
        if (parsed.GetValue(flags.Steps) is < 1 or > 100)
            throw new CliException("--steps must be from 1 to 100", ExitCodes.Usage);
        var size = parsed.GetValue(flags.Size) is { } text ? ImageGenFlags.ParseSize(text) : ((int, int)?)null;

        await ctx.Env.Error.WriteLineAsync($"loading {model}…");
        ILoadedModel pipeline;
        try
        {
            pipeline = await ImageModelLoader.LoadAsync(path, options, ct);
        }
        catch (EngineException e)
        {
            throw new CliException(e.Message);
        }
        await using (pipeline)
        {
            var fallback = pipeline.Info.Image?.DefaultSize ?? 512;
            var (width, height) = size ?? (fallback, fallback);
            var request = new ImageGenerationRequest
            {
                Prompt = prompts[0],
                NegativePrompt = parsed.GetValue(flags.NegativePrompt),
                Width = width,
                Height = height,
                Count = count,
                Steps = parsed.GetValue(flags.Steps),
                GuidanceScale = parsed.GetValue(flags.GuidanceScale),
                Seed = parsed.GetValue(chat.Seed),
            };
            try
            {
                return await new ImageGenMode(pipeline, ctx.Env).RunAsync(request, parsed.GetValue(flags.Output) ?? ImageGenMode.DefaultOutput, ct);
            }
            catch (EngineException e) when (e.Kind == EngineErrorKind.InvalidRequest)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
        }
    }
}
