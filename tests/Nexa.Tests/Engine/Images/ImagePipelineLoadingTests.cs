using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Fixtures.Onnx;

namespace Nexa.Tests.Engine.Images;

/// <summary>Loading pipelines: the loader the runner calls, other layouts (fp16, classic DDIM), and broken folders.</summary>
public sealed class ImagePipelineLoadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<EngineException> LoadFails(string path)
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => ImageModelLoader.LoadAsync(path, TinyImagePipelines.Options, CancellationToken.None));
        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        return error;
    }

    [Fact]
    public async Task The_loader_opens_a_pipeline_from_its_model_index()
    {
        var files = TinyOnnxPipelines.WriteSdxlTurbo(_dir["p"]);

        await using var model = await ImageModelLoader.LoadAsync(_dir["p/model_index.json"], TinyImagePipelines.Options, CancellationToken.None);
        var result = await model.GenerateImagesAsync(TinyImagePipelines.Ask(), null, CancellationToken.None);

        Assert.Contains("unet/model.onnx_data", files);
        Assert.Contains("tokenizer_2/vocab.json", files);
        Assert.Equal("sdxl", model.Info.Image!.Family);
        Assert.Equal(Path.GetFullPath(_dir["p"]), model.Info.Path);
        Assert.Equal((64, 64), TinyImagePipelines.PngSize(result.Images[0].Png));
    }

    [Theory]
    [InlineData("sdxl")]
    [InlineData("sd")]
    public async Task Float16_graphs_generate_like_float32_ones(string family)
    {
        if (family == "sdxl")
        {
            TinyOnnxPipelines.WriteSdxlTurbo(_dir["p"], float16: true);
        }
        else
        {
            TinyOnnxPipelines.WriteSdTurbo(_dir["p"], float16: true);
        }

        await using var model = await ImageModelLoader.LoadAsync(_dir["p"], TinyImagePipelines.Options, CancellationToken.None);
        var a = await model.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 3, steps: 2), null, CancellationToken.None);
        var b = await model.GenerateImagesAsync(TinyImagePipelines.Ask(seed: 3, steps: 2), null, CancellationToken.None);

        Assert.Equal((64, 64), TinyImagePipelines.PngSize(a.Images[0].Png));
        Assert.Equal(a.Images[0].Png, b.Images[0].Png);
    }

    [Fact]
    public async Task A_classic_ddim_pipeline_defaults_to_guided_multi_step_generation()
    {
        TinyOnnxPipelines.WriteSdClassic(_dir["p"]);

        await using var model = await ImageModelLoader.LoadAsync(_dir["p"], TinyImagePipelines.Options, CancellationToken.None);
        var log = new ProgressLog();
        var result = await model.GenerateImagesAsync(new ImageGenerationRequest { Prompt = "a red dog", Seed = 1, Width = 64, Height = 64 }, log, CancellationToken.None);

        var info = model.Info.Image!;
        Assert.Equal(("sd", "DDIMScheduler", 25, 7.5f), (info.Family, info.Scheduler, info.DefaultSteps, info.DefaultGuidanceScale));
        Assert.Equal(25, log.Reports.Count);
        Assert.Single(result.Images);
    }

    [Fact]
    public async Task A_folder_without_model_index_fails_to_load()
    {
        Directory.CreateDirectory(_dir["empty"]);

        var error = await LoadFails(_dir["empty"]);

        Assert.Contains("model_index.json", error.Message);
    }

    [Fact]
    public async Task A_pipeline_missing_its_unet_names_the_file()
    {
        TinyOnnxPipelines.WriteSdTurbo(_dir["p"]);
        File.Delete(_dir["p/unet/model.onnx"]);

        var error = await LoadFails(_dir["p"]);

        Assert.Contains("unet/model.onnx", error.Message);
    }

    [Fact]
    public async Task A_corrupt_graph_fails_to_load()
    {
        TinyOnnxPipelines.WriteSdTurbo(_dir["p"]);
        await File.WriteAllBytesAsync(_dir["p/vae_decoder/model.onnx"], [1, 2, 3, 4, 5]);

        var error = await LoadFails(_dir["p"]);

        Assert.Contains("vae_decoder", error.Message);
    }

    [Fact]
    public async Task Missing_external_weights_fail_to_load()
    {
        TinyOnnxPipelines.WriteSdxlTurbo(_dir["p"]);
        File.Delete(_dir["p/unet/model.onnx_data"]);

        var error = await LoadFails(_dir["p"]);

        Assert.Contains("unet", error.Message);
    }

    [Fact]
    public async Task An_unknown_pipeline_class_is_not_supported_yet()
    {
        TinyOnnxPipelines.WriteSdTurbo(_dir["p"]);
        await File.WriteAllTextAsync(_dir["p/model_index.json"], """{"_class_name": "KandinskyPipeline"}""");

        var error = await LoadFails(_dir["p"]);

        Assert.Contains("not supported yet", error.Message);
    }
}
