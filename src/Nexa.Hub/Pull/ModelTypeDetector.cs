using Nexa.Hub.Gguf;
using Nexa.Hub.Store;

namespace Nexa.Hub.Pull;

public sealed record DetectedModel(string Type, string? Architecture);

/// <summary>
/// Tells an LLM from a VLM, an embedder or a reranker by the GGUF's metadata and tensors, as llama.cpp itself
/// decides: a rank pooling or a classifier head means reranker, another pooling type means embedder.
/// </summary>
public static class ModelTypeDetector
{
    // llama.cpp's enum llama_pooling_type.
    private const long PoolingMean = 1, PoolingCls = 2, PoolingLast = 3, PoolingRank = 4;

    // Encoder-only architectures: they embed (or rank) whatever their pooling key says.
    private static readonly HashSet<string> EncoderArchitectures =
        ["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "eurobert", "t5encoder", "gemma-embedding"];

    /// <summary>Reads the GGUF's header (not its weights). Throws <see cref="GgufFormatException"/> for a malformed file.</summary>
    public static DetectedModel Detect(string ggufPath, bool hasMMProj) =>
        Path.GetFileName(ggufPath) == ImagePipelineFiles.IndexFile ? DetectPipeline(ggufPath) : Detect(GgufReader.Read(ggufPath), hasMMProj);

    /// <summary>A diffusers pipeline's model_index.json: image_gen, with its pipeline class (e.g. StableDiffusionXLPipeline) as the architecture.</summary>
    public static DetectedModel DetectPipeline(string modelIndexPath)
    {
        string? pipelineClass = null;
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(modelIndexPath));
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("_class_name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String)
                pipelineClass = name.GetString();
        }
        catch (System.Text.Json.JsonException)
        {
            // The class name is only shown in listings; the engine reads (and judges) the file when it loads.
        }
        return new DetectedModel(ModelTypes.ImageGen, pipelineClass);
    }

    public static DetectedModel Detect(GgufFile gguf, bool hasMMProj)
    {
        var arch = gguf.Architecture;
        var pooling = arch is null ? null : gguf.GetInt64($"{arch}.pooling_type");
        var hasClassifier = gguf.Tensors.Any(t => t.Name.StartsWith("cls.", StringComparison.Ordinal))
            || (arch is not null && gguf.ContainsKey($"{arch}.classifier.output_labels"));

        var type = (pooling, hasClassifier) switch
        {
            (PoolingRank, _) or (_, true) => ModelTypes.Reranker,
            (PoolingMean or PoolingCls or PoolingLast, _) => ModelTypes.Embedder,
            _ when arch is not null && EncoderArchitectures.Contains(arch) => ModelTypes.Embedder,
            _ when hasMMProj => ModelTypes.Vlm,
            _ => ModelTypes.Llm,
        };
        return new DetectedModel(type, arch);
    }
}
