using System.Text.Json.Serialization;

namespace Nexa.Hub.Store;

/// <summary>Model kinds, spelled as the original writes them into <c>ModelType</c>.</summary>
public static class ModelTypes
{
    public const string Llm = "llm";
    public const string Vlm = "vlm";
    public const string Embedder = "embedder";
    public const string Reranker = "reranker";
    public const string ImageGen = "image_gen";
    public const string Asr = "asr";
    public const string Tts = "tts";

    public static readonly IReadOnlyList<string> All = [Llm, Vlm, Embedder, Reranker, ImageGen, Asr, Tts];
}

/// <summary>
/// One file of a model. <c>Name</c>, <c>Downloaded</c> and <c>Size</c> are the original's keys;
/// <c>Sha256</c> is ours (the original ignores unknown keys).
/// </summary>
public sealed record ModelFileInfo
{
    public string Name { get; init; } = "";
    public bool Downloaded { get; init; }
    public long Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sha256 { get; init; }

    public static ModelFileInfo None { get; } = new();

    [JsonIgnore]
    public bool IsPresent => Name.Length > 0 && Downloaded;
}

/// <summary>
/// The <c>nexa.manifest</c> file, in the original Nexa SDK's format (PascalCase keys), so that stores are
/// shared both ways. <c>ModelFile</c> maps a quant (e.g. <c>Q4_K_M</c>) to its file; for a sharded GGUF
/// that is the first shard and the other shards are listed in <c>ExtraFiles</c>.
/// </summary>
public sealed record ModelManifest
{
    public string Name { get; init; } = "";
    public string ModelName { get; init; } = "";
    public string ModelType { get; init; } = ModelTypes.Llm;
    public string PluginId { get; init; } = "cpu_gpu";
    public string DeviceId { get; init; } = "";
    public string MinSDKVersion { get; init; } = "";
    public Dictionary<string, ModelFileInfo> ModelFile { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public ModelFileInfo MMProjFile { get; init; } = ModelFileInfo.None;
    public ModelFileInfo TokenizerFile { get; init; } = ModelFileInfo.None;
    public List<ModelFileInfo>? ExtraFiles { get; init; } = [];

    /// <summary>Ours: the hub revision (commit) the files came from, or "local" for an import.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Revision { get; init; }

    /// <summary>Quants whose file is fully downloaded, in a stable order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> DownloadedQuants =>
        [.. ModelFile.Where(kv => kv.Value.Downloaded).Select(kv => kv.Key).Order(StringComparer.Ordinal)];

    /// <summary>Bytes on disk of every downloaded file, as the original counts them.</summary>
    [JsonIgnore]
    public long TotalSize =>
        ModelFile.Values.Where(f => f.Downloaded).Sum(f => f.Size)
        + (MMProjFile.Downloaded ? MMProjFile.Size : 0)
        + (TokenizerFile.Downloaded ? TokenizerFile.Size : 0)
        + (ExtraFiles ?? []).Where(f => f.Downloaded).Sum(f => f.Size);

    /// <summary>Every file name the manifest refers to (downloaded or not).</summary>
    [JsonIgnore]
    public IEnumerable<ModelFileInfo> AllFiles =>
        ModelFile.Values.Append(MMProjFile).Append(TokenizerFile).Concat(ExtraFiles ?? []).Where(f => f.Name.Length > 0);
}

[JsonSourceGenerationOptions(WriteIndented = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
