using Nexa.Cli;
using Nexa.Cli.Repl;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Pull;
using SkiaSharp;
using FakeEngine = Nexa.FakeRunner.FakeChatModel;

namespace Nexa.Tests.Cli;

/// <summary>`nexa infer &lt;image model&gt;`: the mode over the fake engine, and the command against a pulled pipeline.</summary>
public sealed class InferImageTests : PullTestBase
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    private CliEnvironment Env() => new(_out, _error, _ => null, IsInteractive: false);

    private static FakeEngine FakePipeline() => new("model_index.json", new EngineOptions(), ModelTypes.ImageGen);

    [Fact]
    public async Task Writes_one_png_per_image_numbered_and_shows_each_step()
    {
        await using var model = FakePipeline();
        var output = Dir["out/cat.png"];

        var code = await new ImageGenMode(model, Env()).RunAsync(
            new ImageGenerationRequest { Prompt = "a cat", Width = 128, Height = 64, Count = 2, Steps = 2, Seed = 9 }, output, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.False(File.Exists(output));
        foreach (var (file, seed) in new[] { (Dir["out/cat-1.png"], 9), (Dir["out/cat-2.png"], 10) })
        {
            using var bitmap = SKBitmap.Decode(file);
            Assert.Equal((128, 64), (bitmap.Width, bitmap.Height));
            Assert.Contains($"wrote {file} (128x64, seed {seed})", _out.ToString());
        }
        var steps = _error.ToString().Split('\n').Where(l => l.StartsWith("image ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["image 1/2: step 1/2", "image 1/2: step 2/2", "image 2/2: step 1/2", "image 2/2: step 2/2"], steps.Select(s => s.TrimEnd('\r')));
    }

    [Fact]
    public async Task In_a_terminal_a_progress_bar_runs_and_the_files_are_written()
    {
        await using var model = FakePipeline();
        var env = new CliEnvironment(_out, _error, _ => null, IsInteractive: true);

        var code = await new ImageGenMode(model, env).RunAsync(
            new ImageGenerationRequest { Prompt = "a cat", Width = 64, Height = 64, Steps = 3, Seed = 1 }, Dir["bar.png"], CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.True(File.Exists(Dir["bar.png"]));
        Assert.DoesNotContain("image 1/1: step", _error.ToString()); // the bar, not the plain lines
        Assert.Contains($"wrote {Dir["bar.png"]}", _out.ToString());
    }

    [Fact]
    public async Task The_same_seed_writes_the_same_bytes()
    {
        await using var model = FakePipeline();
        var request = new ImageGenerationRequest { Prompt = "a boat", Width = 64, Height = 64, Seed = 3 };

        await new ImageGenMode(model, Env()).RunAsync(request, Dir["a.png"], CancellationToken.None);
        await new ImageGenMode(model, Env()).RunAsync(request, Dir["b"], CancellationToken.None);
        await new ImageGenMode(model, Env()).RunAsync(request with { Seed = 4 }, Dir["c.png"], CancellationToken.None);

        Assert.Equal(File.ReadAllBytes(Dir["a.png"]), File.ReadAllBytes(Dir["b.png"]));
        Assert.NotEqual(File.ReadAllBytes(Dir["a.png"]), File.ReadAllBytes(Dir["c.png"]));
    }

    [Fact]
    public async Task A_size_outside_the_model_range_is_a_usage_error()
    {
        await using var model = FakePipeline();

        var e = await Assert.ThrowsAsync<CliException>(() => new ImageGenMode(model, Env()).RunAsync(
            new ImageGenerationRequest { Prompt = "x", Width = 2048, Height = 64 }, Dir["x.png"], CancellationToken.None));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.False(File.Exists(Dir["x.png"]));
    }

    [Fact]
    public async Task Infer_pulls_the_pipeline_and_writes_the_png_through_onnx_runtime()
    {
        Hub.AddTinyOnnxPipeline("stabilityai/sdxl-turbo", Dir["tiny-pipeline"]);

        var result = await Nexa("infer", "stabilityai/sdxl-turbo", "-p", "A white cat", "-o", Dir["cat.png"], "--size", "256x256", "--steps", "2", "--seed", "1");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(ModelTypes.ImageGen, Store.Find(ModelName.Parse("stabilityai/sdxl-turbo"))!.Manifest.ModelType);
        using var bitmap = SKBitmap.Decode(Dir["cat.png"]);
        Assert.Equal((256, 256), (bitmap.Width, bitmap.Height));
    }

    [Theory]
    [InlineData("-n", "5")]
    [InlineData("--size", "500x500")]
    [InlineData("--size", "large")]
    [InlineData("--steps", "0")]
    public async Task Bad_image_flags_are_usage_errors_before_anything_loads(string flag, string value)
    {
        FakeHubImagePipeline.WriteImagePipeline(Dir["sd"]);
        Assert.Equal(0, (await Nexa("pull", "me/sd", "--local-path", Dir["sd"])).ExitCode);

        var result = await Nexa("infer", "me/sd", "-p", "x", flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.DoesNotContain("loading", result.Error);
    }

    [Fact]
    public async Task A_chat_model_refuses_image_flags()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var result = await Nexa("infer", "org/tiny", "-p", "x", "-o", Dir["x.png"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("for image models", result.Error);
    }
}
