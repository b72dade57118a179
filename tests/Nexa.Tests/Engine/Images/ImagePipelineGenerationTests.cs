using System.Diagnostics;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Xunit.Abstractions;

namespace Nexa.Tests.Engine.Images;

/// <summary>Generation through real ONNX Runtime on the tiny pipelines: sizes, seeds, prompts, guidance, progress, cancellation.</summary>
public sealed class ImagePipelineGenerationTests(TinyImagePipelines pipelines, ITestOutputHelper output) : IClassFixture<TinyImagePipelines>
{
    public static TheoryData<string> Families => new() { "sdxl", "sd" };

    private StableDiffusionPipeline Pick(string family) => family == "sdxl" ? pipelines.Sdxl : pipelines.Sd;

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Generates_a_png_of_the_requested_size(string family)
    {
        var request = TinyImagePipelines.Ask() with { Width = 128, Height = 64 };

        var result = await Pick(family).GenerateImagesAsync(request, null, CancellationToken.None);

        var image = Assert.Single(result.Images);
        Assert.Equal((128, 64), TinyImagePipelines.PngSize(image.Png));
        Assert.Equal(1UL, image.Seed);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Same_seed_gives_identical_bytes_and_another_seed_a_different_picture(string family)
    {
        var pipeline = Pick(family);

        var first = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 42, steps: 2), null, CancellationToken.None);
        var again = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 42, steps: 2), null, CancellationToken.None);
        var other = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 43, steps: 2), null, CancellationToken.None);

        Assert.Equal(first.Images[0].Png, again.Images[0].Png);
        Assert.NotEqual(first.Images[0].Png, other.Images[0].Png);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Two_images_use_consecutive_seeds_and_differ(string family)
    {
        var pipeline = Pick(family);

        var pair = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 10, count: 2), null, CancellationToken.None);
        var second = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 11), null, CancellationToken.None);

        Assert.Equal(2, pair.Images.Count);
        Assert.Equal([10UL, 11UL], pair.Images.Select(i => i.Seed));
        Assert.NotEqual(pair.Images[0].Png, pair.Images[1].Png);
        Assert.Equal(second.Images[0].Png, pair.Images[1].Png);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task The_prompt_changes_the_picture(string family)
    {
        var pipeline = Pick(family);

        var cat = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask("a photo of a cat"), null, CancellationToken.None);
        var dog = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask("a photo of a dog"), null, CancellationToken.None);
        var empty = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(""), null, CancellationToken.None);

        Assert.NotEqual(cat.Images[0].Png, dog.Images[0].Png);
        Assert.NotEqual(cat.Images[0].Png, empty.Images[0].Png);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Guidance_steers_away_from_the_negative_prompt(string family)
    {
        var pipeline = Pick(family);
        var guided = TinyImagePipelines.Ask(steps: 2) with { GuidanceScale = 5f };

        var plain = await pipeline.GenerateImagesAsync(TinyImagePipelines.Ask(steps: 2), null, CancellationToken.None);
        var noNegative = await pipeline.GenerateImagesAsync(guided, null, CancellationToken.None);
        var awayFromDog = await pipeline.GenerateImagesAsync(guided with { NegativePrompt = "dog" }, null, CancellationToken.None);
        var awayFromRed = await pipeline.GenerateImagesAsync(guided with { NegativePrompt = "red" }, null, CancellationToken.None);

        Assert.NotEqual(plain.Images[0].Png, noNegative.Images[0].Png);
        Assert.NotEqual(awayFromDog.Images[0].Png, awayFromRed.Images[0].Png);
        Assert.NotEqual(noNegative.Images[0].Png, awayFromDog.Images[0].Png);
    }

    [Fact]
    public async Task Progress_is_reported_after_every_step_of_every_image()
    {
        var log = new ProgressLog();

        await pipelines.Sdxl.GenerateImagesAsync(TinyImagePipelines.Ask(count: 2, steps: 3), log, CancellationToken.None);

        Assert.Equal(
            [new(0, 2, 1, 3), new(0, 2, 2, 3), new(0, 2, 3, 3), new(1, 2, 1, 3), new(1, 2, 2, 3), new ImageGenerationProgress(1, 2, 3, 3)],
            log.Reports);
    }

    [Fact]
    public async Task Cancelling_stops_between_steps_and_the_pipeline_keeps_working()
    {
        using var cts = new CancellationTokenSource();
        var log = new ProgressLog(p =>
        {
            if (p.Step == 2)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => pipelines.Sd.GenerateImagesAsync(TinyImagePipelines.Ask(steps: 100), log, cts.Token));

        Assert.InRange(log.Reports.Count, 2, 3);
        var after = await pipelines.Sd.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 5), null, CancellationToken.None);
        var reference = await pipelines.Sd.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 5), null, CancellationToken.None);
        Assert.Equal(reference.Images[0].Png, after.Images[0].Png);
    }

    [Fact]
    public async Task Concurrent_requests_wait_their_turn_and_all_succeed()
    {
        var runs = Enumerable.Range(0, 3)
            .Select(i => pipelines.Sdxl.GenerateImagesAsync(TinyImagePipelines.Ask(seed: (ulong)i, steps: 2), null, CancellationToken.None))
            .ToList();

        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.Single(r.Images));
        Assert.Equal(3, results.Select(r => Convert.ToBase64String(r.Images[0].Png)).Distinct().Count());
    }

    [Theory]
    [InlineData(96, 64, "size")]
    [InlineData(4096, 64, "size")]
    [InlineData(64, 64, "n")]
    public async Task Invalid_requests_are_refused_before_any_work(int width, int height, string param)
    {
        var request = TinyImagePipelines.Ask() with { Width = width, Height = height, Count = param == "n" ? 5 : 1 };

        var error = await Assert.ThrowsAsync<EngineException>(() => pipelines.Sd.GenerateImagesAsync(request, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public async Task A_512_image_per_step_is_measured_on_the_tiny_pipeline()
    {
        // Shape check at the real default size; the times go to the test log (the tiny graphs are cheap, so this
        // measures the pipeline's own cost: noise, scheduler, tensor conversions, and per image the VAE and PNG).
        await pipelines.Sdxl.GenerateImagesAsync(TinyImagePipelines.Ask(size: 512), null, CancellationToken.None);
        var one = Stopwatch.StartNew();
        await pipelines.Sdxl.GenerateImagesAsync(TinyImagePipelines.Ask(size: 512, steps: 1), null, CancellationToken.None);
        one.Stop();
        var nine = Stopwatch.StartNew();
        var result = await pipelines.Sdxl.GenerateImagesAsync(TinyImagePipelines.Ask(size: 512, steps: 9), null, CancellationToken.None);
        nine.Stop();

        Assert.Equal((512, 512), TinyImagePipelines.PngSize(result.Images[0].Png));
        var perStep = (nine.Elapsed - one.Elapsed).TotalSeconds / 8;
        output.WriteLine($"tiny sdxl-turbo 512x512: 1 step {one.Elapsed.TotalSeconds:F3} s, 9 steps {nine.Elapsed.TotalSeconds:F3} s, {perStep:F4} s per extra step");
    }

    [Fact]
    public void Turbo_pipelines_describe_their_family_and_defaults()
    {
        var sdxl = pipelines.Sdxl.Info.Image!;
        var sd = pipelines.Sd.Info.Image!;

        Assert.Equal(("sdxl", "EulerAncestralDiscreteScheduler", 1, 0f, 512), (sdxl.Family, sdxl.Scheduler, sdxl.DefaultSteps, sdxl.DefaultGuidanceScale, sdxl.DefaultSize));
        Assert.Equal(("sd", "EulerDiscreteScheduler", 1, 0f, 512), (sd.Family, sd.Scheduler, sd.DefaultSteps, sd.DefaultGuidanceScale, sd.DefaultSize));
        Assert.Equal(0, pipelines.Sd.Info.ContextSize);
    }

    [Fact]
    public void Chat_requests_are_refused()
    {
        var error = Assert.Throws<EngineException>(() => pipelines.Sd.GenerateAsync(new ChatRequest { Messages = [new ChatMessage("user", "hi")] }, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
    }
}
