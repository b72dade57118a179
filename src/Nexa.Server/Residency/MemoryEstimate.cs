using Nexa.Hub.Gguf;
using Nexa.Hub.Store;
using Nexa.Runner;

namespace Nexa.Server.Residency;

/// <summary>
/// How much memory a model will take once loaded, estimated before its runner starts so that the memory budget can
/// make room first: its weight files (mapped, so resident once read), the KV cache its context needs (f16 keys and
/// values for every layer and cell, from the GGUF's shapes) and a fixed allowance for the runner process, compute
/// buffers and the .NET runtime.
/// </summary>
internal static class MemoryEstimate
{
    /// <summary>The runner process, llama.cpp's compute buffers and the runtime: measured ~150–230 MiB on tiny and 0.6B models.</summary>
    public const long ProcessOverheadBytes = 250L << 20;

    public static long Of(StoredModel stored, string quant, RunnerStartInfo start)
    {
        var manifest = stored.Manifest;
        var weights = manifest.ModelFile.TryGetValue(quant, out var file) ? file.Size : 0;
        var main = file?.Name ?? "";
        foreach (var extra in manifest.ExtraFiles ?? [])
        {
            // Other shards of the same quant, or every file of an image pipeline, are loaded too.
            if (manifest.ModelType == ModelTypes.ImageGen || IsShardOf(extra.Name, main))
                weights += extra.Size;
        }
        if (manifest.MMProjFile.IsPresent)
            weights += manifest.MMProjFile.Size;
        return weights + KvCacheBytes(start) + ProcessOverheadBytes;
    }

    /// <summary>f16 K and V for every layer and context cell; 0 when the file does not say (or is not a GGUF).</summary>
    public static long KvCacheBytes(RunnerStartInfo start)
    {
        if (start.ModelType is ModelTypes.ImageGen || !File.Exists(start.ModelPath))
            return 0;
        try
        {
            var gguf = GgufReader.Read(start.ModelPath);
            var arch = gguf.Architecture;
            if (arch is null)
                return 0;
            var layers = gguf.GetInt64($"{arch}.block_count") ?? 0;
            var width = gguf.GetInt64($"{arch}.embedding_length") ?? 0;
            var heads = gguf.GetInt64($"{arch}.attention.head_count") ?? 0;
            var kvHeads = KvHeads(gguf, arch) ?? heads;
            if (layers <= 0 || heads <= 0)
                return 0;
            var keyLength = gguf.GetInt64($"{arch}.attention.key_length") ?? width / heads;
            var valueLength = gguf.GetInt64($"{arch}.attention.value_length") ?? width / heads;
            return layers * start.Options.ContextSize * kvHeads * (keyLength + valueLength) * sizeof(short);
        }
        catch (Exception e) when (e is GgufFormatException or IOException or InvalidOperationException or OverflowException)
        {
            return 0;
        }
    }

    // head_count_kv is a number, or an array with one entry per layer (then the largest bounds the cache).
    private static long? KvHeads(GgufFile gguf, string arch)
    {
        var key = $"{arch}.attention.head_count_kv";
        if (!gguf.Metadata.TryGetValue(key, out var value))
            return null;
        if (value.Type != GgufValueType.Array)
            return gguf.GetInt64(key);
        return gguf.GetArray(key) is { Count: > 0 } perLayer ? perLayer.ToInt64Array().Max() : null;
    }

    private static bool IsShardOf(string name, string first)
    {
        const string marker = "-00001-of-";
        var at = first.IndexOf(marker, StringComparison.Ordinal);
        return at > 0 && name != first && name.StartsWith(first[..at], StringComparison.Ordinal) && name.Contains("-of-", StringComparison.Ordinal);
    }
}
