using Nexa.Hub.HuggingFace;

namespace Nexa.Hub.Pull;

/// <summary>
/// The files of a diffusers repository (a <c>model_index.json</c> at its root) that its ONNX pipeline needs, in the
/// Optimum layout: <c>model_index.json</c>, <c>scheduler/*</c>, <c>tokenizer*/*</c> and, in each network's folder
/// (<c>text_encoder*</c>, <c>unet</c>, <c>vae_decoder</c>), the graph, its external weights and its config.
/// Never the PyTorch weights beside them (<c>.safetensors</c>, <c>.bin</c>, <c>.ckpt</c>: many GB), never
/// <c>vae_encoder</c> (image-to-image only), and the <c>*.fp16.onnx</c> variants only where nothing else exists.
/// </summary>
public static class ImagePipelineFiles
{
    /// <summary>The manifest's ModelFile key of a pipeline (a pipeline has no quants; "ONNX" names its format).</summary>
    public const string Quant = "ONNX";

    public const string IndexFile = "model_index.json";

    // The networks the pipeline runs; the first three are required, text_encoder_2 only exists for SDXL.
    private static readonly string[] Required = ["text_encoder", "unet", "vae_decoder"];
    private static readonly string[] Networks = ["text_encoder", "text_encoder_2", "text_encoder_3", "unet", "vae_decoder"];
    private static readonly string[] NeverWeights = [".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".msgpack", ".h5"];

    /// <summary>True when the repository (or folder) is a diffusers pipeline: it has a model_index.json at its root.</summary>
    public static bool IsPipeline(IReadOnlyList<RepoFile> files) => files.Any(f => f.Path == IndexFile);

    /// <summary>The files to download, model_index.json first, the rest in path order; throws "not supported yet" without an ONNX export.</summary>
    public static QuantFiles Select(IReadOnlyList<RepoFile> files, string repo)
    {
        var index = files.First(f => f.Path == IndexFile);
        var graphs = Networks.ToDictionary(n => n, n => Graphs(files, n));
        if (graphs.Values.All(g => g.Count == 0))
            throw new HubException(HubErrorKind.Unsupported, $"not supported yet: {repo} has no ONNX export (only PyTorch weights); pull a repository with an Optimum ONNX export (unet/model.onnx…)");
        if (Required.FirstOrDefault(n => graphs[n].Count == 0) is { } missing)
            throw new HubException(HubErrorKind.Unsupported, $"not supported yet: {repo}'s ONNX export is incomplete: it has no {missing}/model.onnx");
        if (!files.Any(f => IsIn(f, "tokenizer") && f.Path.EndsWith("/vocab.json", StringComparison.Ordinal)))
            throw new HubException(HubErrorKind.Unsupported, $"not supported yet: {repo} has no CLIP tokenizer (tokenizer/vocab.json and merges.txt)");

        var selected = files.Where(f => !IsWeights(f) && (IsIn(f, "scheduler") || Folder(f) is { } folder && folder.StartsWith("tokenizer", StringComparison.Ordinal)))
            .Concat(graphs.Values.SelectMany(g => g))
            .Concat(files.Where(f => Networks.Any(n => f.Path == $"{n}/config.json") && graphs[Folder(f)!].Count > 0))
            .DistinctBy(f => f.Path)
            .OrderBy(f => f.Path, StringComparer.Ordinal);
        return new QuantFiles(Quant, [index, .. selected]);
    }

    // One network's ONNX files (graph and external data): the full-precision export, else the fp16 one.
    private static List<RepoFile> Graphs(IReadOnlyList<RepoFile> files, string network)
    {
        var onnx = files.Where(f => IsIn(f, network) && IsOnnx(f.Path)).ToList();
        var full = onnx.Where(f => !IsFp16(f.Path)).ToList();
        var chosen = full.Any(f => f.Path.EndsWith(".onnx", StringComparison.Ordinal)) ? full : onnx.Where(f => IsFp16(f.Path)).ToList();
        return chosen.Any(f => f.Path.EndsWith(".onnx", StringComparison.Ordinal)) ? chosen : [];
    }

    private static bool IsOnnx(string path) =>
        path.EndsWith(".onnx", StringComparison.Ordinal) || path.EndsWith(".onnx_data", StringComparison.Ordinal) || path.EndsWith(".onnx.data", StringComparison.Ordinal);

    private static bool IsFp16(string path) => Path.GetFileName(path).Contains(".fp16.", StringComparison.Ordinal);

    private static bool IsWeights(RepoFile f) => NeverWeights.Any(e => f.Path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    // Directly inside the folder (the Optimum layout is flat per network).
    private static bool IsIn(RepoFile f, string folder) => Folder(f) == folder || (folder == "tokenizer" && Folder(f)?.StartsWith("tokenizer", StringComparison.Ordinal) == true);

    private static string? Folder(RepoFile f)
    {
        var parts = f.Path.Split('/');
        return parts.Length == 2 ? parts[0] : null;
    }
}
