using System.Diagnostics;
using System.Text;
using Nexa.Engine;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using SkiaSharp;

namespace Nexa.FakeRunner;

/// <summary>
/// What the fake engine answers when it is started as an image generation model: real, valid PNGs of the asked
/// size, drawn with SkiaSharp from a hash of (prompt, negative prompt, seed, steps, guidance) — the same request in
/// any process gives the same bytes, another seed other bytes. It checks what a real pipeline checks, reports
/// progress once per "step" (a short delay), honours cancellation between steps, and takes the fake's magic
/// prompts (<see cref="FakeChatModel.Magic"/>) to fail the ways a real engine does.
/// </summary>
internal static class FakeImages
{
    /// <summary>What the fake says it is: an SD-Turbo-like pipeline, 512 by default, 64 to 1024.</summary>
    public static readonly ImageModelInfo Info = new()
    {
        Family = "sd",
        Scheduler = "EulerAncestralDiscreteScheduler",
        DefaultSize = 512,
        MinSize = 64,
        MaxSize = 1024,
        DefaultSteps = 2,
        DefaultGuidanceScale = 0f,
    };

    public static readonly TimeSpan StepDelay = TimeSpan.FromMilliseconds(5);

    /// <summary>Each step of a <see cref="FakeChatModel.Magic.Slow"/> prompt takes this long, for a thousand steps.</summary>
    public static readonly TimeSpan SlowStepDelay = TimeSpan.FromMilliseconds(20);

    public static async Task<ImageGenerationResult> GenerateAsync(ImageGenerationRequest request, IProgress<ImageGenerationProgress>? progress, CancellationToken ct)
    {
        Check(request);
        var clock = Stopwatch.StartNew();
        if (request.Prompt.Length == 0)
            return new ImageGenerationResult([], clock.Elapsed); // the warm-up: nothing to draw

        var slow = request.Prompt == FakeChatModel.Magic.Slow;
        var steps = slow ? 1000 : request.Steps ?? Info.DefaultSteps;
        var baseSeed = request.Seed ?? (ulong)Random.Shared.NextInt64();
        var images = new List<GeneratedImage>(request.Count);
        for (var i = 0; i < request.Count; i++)
        {
            for (var step = 1; step <= steps; step++)
            {
                await StepAsync(slow ? SlowStepDelay : StepDelay, i, step, ct);
                if (request.Prompt == FakeChatModel.Magic.Crash && step == 2)
                    Environment.FailFast("fake engine: simulated native abort (__crash__)");
                progress?.Report(new ImageGenerationProgress(i, request.Count, step, steps));
            }
            var seed = unchecked(baseSeed + (ulong)i);
            images.Add(new GeneratedImage(Draw(request, seed, steps), seed));
        }
        return new ImageGenerationResult(images, clock.Elapsed);
    }

    /// <summary>One "denoising step". A cancelled one says so on stderr, which the runner's client keeps: tests see the stop.</summary>
    private static async Task StepAsync(TimeSpan delay, int image, int step, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{CancelledLine} at image {image} step {step}");
            throw;
        }
    }

    /// <summary>Written to stderr when a generation is cancelled.</summary>
    public const string CancelledLine = "fake engine: image generation cancelled";

    public static void Check(ImageGenerationRequest request)
    {
        if (request.Prompt == FakeChatModel.Magic.Error)
            throw Invalid("the prompt is longer than the text encoder's 77 tokens", "prompt");
        if (request.Prompt == FakeChatModel.Magic.Bug)
            throw new InvalidOperationException("the fake engine's simulated bug");
        foreach (var side in (int[])[request.Width, request.Height])
        {
            if (side % 64 != 0 || side < Info.MinSize || side > Info.MaxSize)
                throw Invalid($"width and height must be multiples of 64 from {Info.MinSize} to {Info.MaxSize}, not {request.Width}x{request.Height}", "size");
        }
        if (request.Count is < 1 or > 4)
            throw Invalid($"count must be from 1 to 4, not {request.Count}", "n");
        if (request.Steps is < 1 or > 100)
            throw Invalid($"steps must be from 1 to 100, not {request.Steps}", "steps");
    }

    // A background colour and a square of another colour, both from the hash: visibly different per seed.
    public static byte[] Draw(ImageGenerationRequest request, ulong seed, int steps)
    {
        var hash = Hash($"{request.Prompt}\n{request.NegativePrompt}\n{seed}\n{steps}\n{request.GuidanceScale?.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var background = new SKColor((byte)hash, (byte)(hash >> 8), (byte)(hash >> 16));
        var square = new SKColor((byte)(hash >> 24), (byte)(hash >> 32), (byte)(hash >> 40));
        using var bitmap = new SKBitmap(new SKImageInfo(request.Width, request.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(background);
            using var paint = new SKPaint { Color = square };
            var x = (int)(hash >> 48 & 0xff) * request.Width / 512;
            var y = (int)(hash >> 56) * request.Height / 512;
            canvas.DrawRect(SKRect.Create(x, y, request.Width / 2f, request.Height / 2f), paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static ulong Hash(string text)
    {
        var state = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
            state = (state ^ b) * 1099511628211UL;
        return state;
    }

    private static EngineException Invalid(string message, string param) => new(EngineErrorKind.InvalidRequest, message, ErrorCodes.InvalidValue, param);
}
