using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Fixtures.Onnx;
using SkiaSharp;

namespace Nexa.Tests.Engine.Images;

/// <summary>The tiny SDXL-Turbo-like and SD-Turbo-like pipelines, written to a temp dir and loaded once per test class.</summary>
public sealed class TinyImagePipelines : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public StableDiffusionPipeline Sdxl { get; private set; } = null!;

    public StableDiffusionPipeline Sd { get; private set; } = null!;

    public static EngineOptions Options { get; } = new() { Threads = 1 };

    public async Task InitializeAsync()
    {
        TinyOnnxPipelines.WriteSdxlTurbo(_dir["sdxl-turbo"]);
        TinyOnnxPipelines.WriteSdTurbo(_dir["sd-turbo"]);
        Sdxl = await StableDiffusionPipeline.LoadAsync(_dir["sdxl-turbo"], Options, CancellationToken.None);
        Sd = await StableDiffusionPipeline.LoadAsync(_dir["sd-turbo"], Options, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Sdxl.DisposeAsync();
        await Sd.DisposeAsync();
        _dir.Dispose();
    }

    public static ImageGenerationRequest Ask(string prompt = "a photo of a red cat", ulong? seed = 1, int size = 64, int count = 1, int? steps = null) => new()
    {
        Prompt = prompt,
        Seed = seed,
        Width = size,
        Height = size,
        Count = count,
        Steps = steps,
    };

    public static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal((byte)0x89, png[0]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }
}

/// <summary>Records every progress report synchronously, in order (Progress&lt;T&gt; would post them later).</summary>
public sealed class ProgressLog : IProgress<ImageGenerationProgress>
{
    private readonly List<ImageGenerationProgress> _reports = [];
    private readonly Action<ImageGenerationProgress>? _onReport;

    public ProgressLog(Action<ImageGenerationProgress>? onReport = null) => _onReport = onReport;

    public IReadOnlyList<ImageGenerationProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(ImageGenerationProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }

        _onReport?.Invoke(value);
    }
}
