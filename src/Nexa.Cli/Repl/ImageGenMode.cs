using System.Diagnostics;
using System.Globalization;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Spectre.Console;

namespace Nexa.Cli.Repl;

/// <summary>
/// `nexa infer &lt;image model&gt; -p "…" -o out.png`: generates with the loaded pipeline, shows the denoising steps
/// (a live bar in a terminal, a line per step otherwise, both on stderr), writes the PNGs (out.png, or out-1.png,
/// out-2.png… for several) and prints one line per file on stdout.
/// </summary>
internal sealed class ImageGenMode(ILoadedModel model, CliEnvironment env)
{
    public const string DefaultOutput = "image.png";

    public async Task<int> RunAsync(ImageGenerationRequest request, string output, CancellationToken ct)
    {
        if (request.Prompt.Length == 0)
            throw new CliException("give the image's prompt with -p \"…\"", ExitCodes.Usage);
        if (request.Count is < 1 or > 4)
            throw new CliException($"-n must be from 1 to 4, not {request.Count}", ExitCodes.Usage);
        if (model.Info.Image is { } info && (Math.Min(request.Width, request.Height) < info.MinSize || Math.Max(request.Width, request.Height) > info.MaxSize))
            throw new CliException($"--size {request.Width}x{request.Height} is outside this model's range: each side from {info.MinSize} to {info.MaxSize}", ExitCodes.Usage);

        var clock = Stopwatch.StartNew();
        var result = env.IsInteractive ? await WithBarAsync(request, ct) : await WithLinesAsync(request, ct);
        var paths = OutputPaths(output, result.Images.Count);
        for (var i = 0; i < result.Images.Count; i++)
        {
            var image = result.Images[i];
            var directory = Path.GetDirectoryName(Path.GetFullPath(paths[i]))!;
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(paths[i], image.Png, ct);
            await env.Out.WriteLineAsync(FormattableString.Invariant($"wrote {paths[i]} ({request.Width}x{request.Height}, seed {image.Seed})"));
        }
        await env.Error.WriteLineAsync(FormattableString.Invariant($"— {result.Images.Count} image(s) • {clock.Elapsed.TotalSeconds:0.00} s —"));
        return ExitCodes.Ok;
    }

    /// <summary>out.png for one image; out-1.png, out-2.png… for several (the extension kept, .png added when missing).</summary>
    public static IReadOnlyList<string> OutputPaths(string output, int count)
    {
        var extension = Path.GetExtension(output);
        if (extension.Length == 0)
        {
            extension = ".png";
            output += extension;
        }
        if (count == 1)
            return [output];
        var stem = output[..^extension.Length];
        return [.. Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{stem}-{i}{extension}"))];
    }

    private async Task<ImageGenerationResult> WithLinesAsync(ImageGenerationRequest request, CancellationToken ct)
    {
        var progress = new SynchronousProgress(p => env.Error.WriteLine(
            FormattableString.Invariant($"image {p.Image + 1}/{p.Images}: step {p.Step}/{p.Steps}")));
        return await model.GenerateImagesAsync(request, progress, ct);
    }

    private async Task<ImageGenerationResult> WithBarAsync(ImageGenerationRequest request, CancellationToken ct)
    {
        var console = Consoles.For(env.Error, interactive: true);
        ImageGenerationResult? result = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("generating", maxValue: 1);
                var progress = new SynchronousProgress(p =>
                {
                    bar.MaxValue = p.Images * p.Steps;
                    bar.Value = p.Image * p.Steps + p.Step;
                    bar.Description = FormattableString.Invariant($"image {p.Image + 1}/{p.Images} step {p.Step}/{p.Steps}");
                });
                result = await model.GenerateImagesAsync(request, progress, ct);
                bar.Value = bar.MaxValue;
            });
        return result!;
    }

    /// <summary>Reports on the engine's thread, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<ImageGenerationProgress> report) : IProgress<ImageGenerationProgress>
    {
        public void Report(ImageGenerationProgress value) => report(value);
    }
}
