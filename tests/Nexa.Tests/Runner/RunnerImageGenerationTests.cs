using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.FakeRunner;
using SkiaSharp;

namespace Nexa.Tests.Runner;

/// <summary>GenerateImages over the runner's gRPC wire, against the fake engine started as an image_gen model.</summary>
public sealed class RunnerImageGenerationTests : RunnerTestBase, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _runners = [];

    [Fact]
    public async Task Images_come_back_as_pngs_of_the_asked_size_with_progress_per_step()
    {
        var runner = await LaunchImageModelAsync();
        var progress = new ListProgress();

        var result = await runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "a cat", Width = 128, Height = 192, Count = 2, Steps = 3, Seed = 7 },
            progress, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(FakeImages.Info, runner.Info.Image);
        Assert.Equal(2, result.Images.Count);
        Assert.Equal([7UL, 8UL], result.Images.Select(i => i.Seed));
        foreach (var image in result.Images)
        {
            using var bitmap = SKBitmap.Decode(image.Png);
            Assert.Equal((128, 192), (bitmap.Width, bitmap.Height));
        }
        Assert.NotEqual(result.Images[0].Png, result.Images[1].Png);
        Assert.Equal([(0, 2, 1, 3), (0, 2, 2, 3), (0, 2, 3, 3), (1, 2, 1, 3), (1, 2, 2, 3), (1, 2, 3, 3)],
            progress.Reports.Select(p => (p.Image, p.Images, p.Step, p.Steps)));
    }

    [Fact]
    public async Task The_same_request_gives_identical_bytes_in_another_runner()
    {
        var first = await LaunchImageModelAsync();
        var second = await LaunchImageModelAsync();
        var request = new ImageGenerationRequest { Prompt = "a lighthouse", NegativePrompt = "fog", Width = 64, Height = 64, Seed = 42, GuidanceScale = 2.5f };

        var a = await first.GenerateImagesAsync(request, null, CancellationToken.None).WaitAsync(Bound);
        var b = await second.GenerateImagesAsync(request, null, CancellationToken.None).WaitAsync(Bound);
        var other = await first.GenerateImagesAsync(request with { Seed = 43 }, null, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(a.Images[0].Png, b.Images[0].Png);
        Assert.NotEqual(a.Images[0].Png, other.Images[0].Png);
    }

    [Fact]
    public async Task Engine_errors_come_back_as_thrown_and_other_request_kinds_are_refused()
    {
        var runner = await LaunchImageModelAsync();

        var size = await Assert.ThrowsAsync<EngineException>(() =>
            runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "x", Width = 100, Height = 64 }, null, CancellationToken.None).WaitAsync(Bound));
        var bug = await Assert.ThrowsAsync<EngineException>(() =>
            runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = FakeChatModel.Magic.Bug, Width = 64, Height = 64 }, null, CancellationToken.None).WaitAsync(Bound));
        var chat = await Assert.ThrowsAsync<EngineException>(() => CollectAsync(runner, Ask("hi")).WaitAsync(Bound));

        Assert.Equal((EngineErrorKind.InvalidRequest, "invalid_value", "size"), (size.Kind, size.Code, size.Param));
        Assert.Equal(EngineErrorKind.Internal, bug.Kind);
        Assert.Equal((EngineErrorKind.InvalidRequest, "model_not_supported"), (chat.Kind, chat.Code));
        Assert.Single((await runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "ok", Width = 64, Height = 64 }, null, CancellationToken.None)).Images);
    }

    [Fact]
    public async Task A_text_model_refuses_to_generate_images_over_the_wire()
    {
        var runner = await LaunchAsync();

        var refused = await Assert.ThrowsAsync<EngineException>(() =>
            runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "x" }, null, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal((EngineErrorKind.InvalidRequest, "model_not_supported"), (refused.Kind, refused.Code));
    }

    [Fact]
    public async Task Cancelling_stops_the_generation_in_the_runner_which_keeps_serving()
    {
        var runner = await LaunchImageModelAsync();
        var progress = new ListProgress();
        using var cancel = new CancellationTokenSource();
        progress.OnReport = p =>
        {
            if (p.Step == 3)
                cancel.Cancel();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = FakeChatModel.Magic.Slow, Width = 64, Height = 64 }, progress, cancel.Token).WaitAsync(Bound));

        await Integration.Poll.UntilAsync(() => runner.RecentOutput.Any(l => l.Contains(FakeImages.CancelledLine, StringComparison.Ordinal)), "the runner to stop the generation", Bound);
        Assert.InRange(progress.Reports.Count, 3, 100);
        Assert.Single((await runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "after", Width = 64, Height = 64 }, null, CancellationToken.None).WaitAsync(Bound)).Images);
    }

    [Fact]
    public async Task A_runner_that_dies_mid_generation_fails_it_as_crashed()
    {
        var runner = await LaunchImageModelAsync();

        var crash = await Assert.ThrowsAsync<EngineException>(() =>
            runner.GenerateImagesAsync(new ImageGenerationRequest { Prompt = FakeChatModel.Magic.Crash, Width = 64, Height = 64, Steps = 4 }, null, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.Crashed, crash.Kind);
    }

    private async Task<RunnerClient> LaunchImageModelAsync()
    {
        var index = Dir["model_index.json"];
        if (!File.Exists(index))
            File.WriteAllText(index, """{"_class_name": "StableDiffusionPipeline"}""");
        var start = new RunnerStartInfo(index, new EngineOptions()) { ModelType = ModelTypes.ImageGen };
        var model = await Launcher.LaunchAsync(start, CancellationToken.None).WaitAsync(Bound);
        _runners.Add(model);
        return Assert.IsType<RunnerClient>(model);
    }

    public new async Task DisposeAsync()
    {
        foreach (var runner in _runners)
            await runner.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Records reports synchronously, in order (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class ListProgress : IProgress<ImageGenerationProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<ImageGenerationProgress> _reports = [];

        public Action<ImageGenerationProgress>? OnReport { get; set; }

        public IReadOnlyList<ImageGenerationProgress> Reports
        {
            get
            {
                lock (_lock)
                    return [.. _reports];
            }
        }

        public void Report(ImageGenerationProgress value)
        {
            lock (_lock)
                _reports.Add(value);
            OnReport?.Invoke(value);
        }
    }
}
