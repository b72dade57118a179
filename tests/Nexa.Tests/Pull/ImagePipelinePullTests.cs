using System.Security.Cryptography;
using Nexa.Hub;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Pull;

public class ImagePipelinePullTests : PullTestBase
{
    private const string Repo = "stabilityai/sdxl-turbo";

    [Fact]
    public async Task Pulls_exactly_the_onnx_pipeline_files_and_never_the_pytorch_weights()
    {
        Hub.AddImagePipeline(Repo);

        var pull = await Nexa("pull", Repo);

        Assert.True(pull.ExitCode == 0, pull.All);
        Assert.Contains($"pulled {Repo}:ONNX (image_gen", pull.Out);
        var requested = Hub.Requests.Where(r => r.Method == "GET" && r.Path.Contains("/resolve/", StringComparison.Ordinal))
            .Select(r => r.Path[(r.Path.IndexOf("/resolve/", StringComparison.Ordinal) + "/resolve/".Length)..])
            .Select(p => p[(p.IndexOf('/') + 1)..])
            .ToHashSet();
        Assert.Equal(FakeHubImagePipeline.OnnxFiles.Order(), requested.Order());
        foreach (var other in FakeHubImagePipeline.OtherFiles)
        {
            Assert.Equal(0, Hub.BodyBytesServed(Repo, other));
            Assert.False(File.Exists(StoredFile(Repo, other)), other);
        }
        foreach (var file in FakeHubImagePipeline.OnnxFiles)
            Assert.Equal(SHA256.HashData(FakeHubImagePipeline.Content(file)), SHA256.HashData(File.ReadAllBytes(StoredFile(Repo, file))));
    }

    [Fact]
    public async Task The_manifest_names_model_index_json_as_the_model_file_and_lists_every_other_file_with_its_size()
    {
        Hub.AddImagePipeline(Repo);

        Assert.Equal(0, (await Nexa("pull", Repo)).ExitCode);

        var model = Store.Find(ModelName.Parse(Repo))!;
        var manifest = model.Manifest;
        Assert.Equal(ModelTypes.ImageGen, manifest.ModelType);
        Assert.Equal("StableDiffusionXLPipeline", manifest.ModelName);
        Assert.Equal([ImagePipelineFiles.Quant], manifest.DownloadedQuants);
        Assert.Equal("model_index.json", manifest.ModelFile["ONNX"].Name);
        Assert.Equal(model.PathOf("model_index.json"), model.ModelPath(model.ChooseQuant(null)!));
        Assert.Equal(FakeHubImagePipeline.OnnxFiles.Skip(1).Order(), manifest.ExtraFiles!.Select(f => f.Name).Order());
        Assert.All(manifest.ExtraFiles!, f => Assert.Equal(FakeHubImagePipeline.Content(f.Name).Length, f.Size));
        Assert.Equal(FakeHubImagePipeline.OnnxFiles.Sum(f => (long)FakeHubImagePipeline.Content(f).Length), manifest.TotalSize);
    }

    [Fact]
    public async Task A_dropped_connection_on_the_unet_weights_is_resumed_with_a_range_request()
    {
        Hub.AddImagePipeline(Repo);
        Hub.DropConnectionAfter(Repo, FakeHubImagePipeline.UnetWeights, FakeHubImagePipeline.UnetWeightsSize / 3);

        var pull = await Nexa("pull", Repo, "--connections", "1");

        Assert.True(pull.ExitCode == 0, pull.All);
        Assert.Contains("retrying from byte", pull.Out);
        Assert.Contains(Hub.Requests, r => r.Range is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && !range.StartsWith("bytes=0-", StringComparison.Ordinal));
        Assert.Equal(SHA256.HashData(FakeHubImagePipeline.Content(FakeHubImagePipeline.UnetWeights)),
            SHA256.HashData(File.ReadAllBytes(StoredFile(Repo, FakeHubImagePipeline.UnetWeights))));
        // The dropped third was not sent twice in full.
        Assert.InRange(Hub.BodyBytesServed(Repo, FakeHubImagePipeline.UnetWeights), FakeHubImagePipeline.UnetWeightsSize, FakeHubImagePipeline.UnetWeightsSize * 4 / 3);
    }

    [Fact]
    public async Task A_diffusers_repo_without_an_onnx_export_is_refused_clearly()
    {
        Hub.AddImagePipeline("org/pytorch-only", withOnnx: false);

        var pull = await Nexa("pull", "org/pytorch-only");

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("not supported yet: org/pytorch-only has no ONNX export (only PyTorch weights)", pull.All);
        Assert.Null(Store.Find(ModelName.Parse("org/pytorch-only")));
        Assert.DoesNotContain(Hub.Requests, r => r.Path.Contains("/resolve/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Is_listed_with_the_size_of_all_its_files_and_removed_whole()
    {
        Hub.AddImagePipeline(Repo);
        Assert.Equal(0, (await Nexa("pull", Repo)).ExitCode);

        var list = await Nexa("list");
        Assert.Contains(Repo, list.Out);
        Assert.Contains("ONNX", list.Out);
        var total = FakeHubImagePipeline.OnnxFiles.Sum(f => (long)FakeHubImagePipeline.Content(f).Length);
        Assert.Contains(Bytes.Format(total), list.Out);

        var again = await Nexa("pull", Repo);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(1, Hub.Requests.Count(r => r.Path.EndsWith("/model_index.json", StringComparison.Ordinal)));

        var rm = await Nexa("rm", Repo);
        Assert.Equal(0, rm.ExitCode);
        Assert.Null(Store.Find(ModelName.Parse(Repo)));
        Assert.False(Directory.Exists(Store.ModelDir(ModelName.Parse(Repo))));
    }

    [Fact]
    public async Task Imports_a_local_folder_in_the_same_layout_without_the_network()
    {
        FakeHubImagePipeline.WriteImagePipeline(Dir["local-sd"]);
        Variables["HF_ENDPOINT"] = "http://127.0.0.1:9";

        var pull = await Nexa("pull", "me/sd", "--local-path", Dir["local-sd"]);

        Assert.True(pull.ExitCode == 0, pull.All);
        var model = Store.Find(ModelName.Parse("me/sd"))!;
        Assert.Equal(ModelTypes.ImageGen, model.Manifest.ModelType);
        Assert.Equal("model_index.json", model.Manifest.ModelFile["ONNX"].Name);
        foreach (var file in FakeHubImagePipeline.OnnxFiles)
            Assert.True(File.Exists(model.PathOf(file)), file);
        Assert.False(File.Exists(model.PathOf("vae_encoder/model.onnx")));
        Assert.False(File.Exists(model.PathOf("unet/diffusion_pytorch_model.safetensors")));
    }

    [Fact]
    public void Takes_the_fp16_export_only_where_it_is_the_only_one()
    {
        static RepoFileList Files(params string[] paths) => [.. paths.Select(p => new RepoFile(p, 10, null, null))];
        var files = Files("model_index.json", "tokenizer/vocab.json", "tokenizer/merges.txt", "text_encoder/model.fp16.onnx",
            "unet/model.onnx", "unet/model.onnx_data", "unet/model.fp16.onnx", "vae_decoder/model.fp16.onnx", "vae_decoder/model.onnx");

        var chosen = ImagePipelineFiles.Select(files, "org/x").Files.Select(f => f.Path).ToList();

        Assert.Equal(["model_index.json", "text_encoder/model.fp16.onnx", "tokenizer/merges.txt", "tokenizer/vocab.json",
            "unet/model.onnx", "unet/model.onnx_data", "vae_decoder/model.onnx"], chosen);
    }

    private sealed class RepoFileList : List<RepoFile>;
}
