using System.Text;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// The file tree of an SDXL-Turbo repository as Hugging Face holds it: the diffusers PyTorch weights, the Optimum
/// ONNX export beside them (with fp16 variants and the VAE encoder a text-to-image pull must skip), and small
/// configs. Contents are placeholders (pull does not parse ONNX): deterministic bytes of a few KB.
/// </summary>
public static class FakeHubImagePipeline
{
    /// <summary>What a pull of the ONNX pipeline must fetch, and nothing else.</summary>
    public static readonly string[] OnnxFiles =
    [
        "model_index.json",
        "scheduler/scheduler_config.json",
        "text_encoder/config.json", "text_encoder/model.onnx",
        "text_encoder_2/config.json", "text_encoder_2/model.onnx", "text_encoder_2/model.onnx_data",
        "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
        "tokenizer_2/merges.txt", "tokenizer_2/special_tokens_map.json", "tokenizer_2/tokenizer_config.json", "tokenizer_2/vocab.json",
        "unet/config.json", "unet/model.onnx", "unet/model.onnx_data",
        "vae_decoder/config.json", "vae_decoder/model.onnx",
    ];

    /// <summary>Beside the ONNX export: what a pull must never fetch.</summary>
    public static readonly string[] OtherFiles =
    [
        "README.md", "sd_xl_turbo_1.0.safetensors", "sd_xl_turbo_1.0_fp16.safetensors",
        "text_encoder/model.safetensors", "text_encoder/model.fp16.safetensors", "text_encoder/model.fp16.onnx",
        "text_encoder_2/model.safetensors", "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
        "unet/model.fp16.onnx", "unet/model.fp16.onnx_data",
        "vae/config.json", "vae/diffusion_pytorch_model.safetensors",
        "vae_decoder/model.fp16.onnx", "vae_encoder/config.json", "vae_encoder/model.onnx",
    ];

    /// <summary>The bigger file, used to interrupt and resume a download.</summary>
    public const string UnetWeights = "unet/model.onnx_data";
    public const int UnetWeightsSize = 3 << 20;

    public const string ModelIndex = """{"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.24.0"}""";

    /// <summary>Adds the repository; <paramref name="withOnnx"/> false leaves only the PyTorch weights (a plain diffusers repo).</summary>
    public static void AddImagePipeline(this FakeHub hub, string repo, bool withOnnx = true)
    {
        foreach (var (path, content) in Files(withOnnx))
            hub.AddFile(repo, path, content);
    }

    /// <summary>
    /// Adds the repository with a working ONNX pipeline: the tiny SDXL-Turbo-like graphs of
    /// <see cref="Onnx.TinyOnnxPipelines"/> (written into <paramref name="scratch"/>), beside the PyTorch weights and
    /// fp16 variants a pull must skip.
    /// </summary>
    public static void AddTinyOnnxPipeline(this FakeHub hub, string repo, string scratch)
    {
        foreach (var path in Onnx.TinyOnnxPipelines.WriteSdxlTurbo(scratch))
            hub.AddFile(repo, path, File.ReadAllBytes(Path.Combine(scratch, path)));
        foreach (var path in OtherFiles)
            hub.AddFile(repo, path, Content(path));
    }

    /// <summary>Writes the same tree into a folder (for <c>--local-path</c>).</summary>
    public static void WriteImagePipeline(string folder)
    {
        foreach (var (path, content) in Files(withOnnx: true))
        {
            var target = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
        }
    }

    public static byte[] Content(string path) => path switch
    {
        "model_index.json" => Encoding.UTF8.GetBytes(ModelIndex),
        UnetWeights => Bytes(path, UnetWeightsSize),
        _ => Bytes(path, 1000 + Math.Abs(StableHash(path) % 4000)),
    };

    private static IEnumerable<(string Path, byte[] Content)> Files(bool withOnnx) =>
        (withOnnx ? OnnxFiles.Concat(OtherFiles) : OtherFiles.Where(p => !p.Contains(".onnx", StringComparison.Ordinal)).Concat(
            OnnxFiles.Where(p => !p.Contains(".onnx", StringComparison.Ordinal))))
        .Distinct()
        .Select(p => (p, Content(p)));

    private static byte[] Bytes(string path, int size)
    {
        var bytes = new byte[size];
        new Random(StableHash(path)).NextBytes(bytes);
        return bytes;
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
            hash = unchecked(hash * 31 + c);
        return hash;
    }
}
