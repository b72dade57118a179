using Nexa.Hub.HuggingFace;
using Nexa.Hub.Store;

namespace Nexa.Hub.Pull;

/// <summary>Adds a pulled (or imported) quant to a model's manifest, keeping what earlier pulls recorded.</summary>
internal static class ManifestBuilder
{
    /// <summary>Reads the quant's GGUF header to detect the type: throws <see cref="Gguf.GgufFormatException"/> for a malformed file.</summary>
    public static ModelManifest Add(ModelManifest? existing, ModelName name, PullPlan plan, string revision, string dir, string? modelType)
    {
        static ModelFileInfo Info(RepoFile f) => new() { Name = f.Path, Downloaded = true, Size = f.Size, Sha256 = f.Sha256 };

        var modelFiles = new Dictionary<string, ModelFileInfo>(existing?.ModelFile ?? [], StringComparer.OrdinalIgnoreCase)
        {
            [plan.Quant.Quant] = Info(plan.Quant.Main),
        };
        // Shards after the first go into ExtraFiles, as the original counts sizes: llama.cpp finds them beside the first.
        var added = plan.Quant.Files.Skip(1).Concat(plan.Extras).ToList();
        var extras = (existing?.ExtraFiles ?? []).Where(e => added.All(f => f.Path != e.Name)).Concat(added.Select(Info)).ToList();

        var mmproj = plan.MMProj is null ? existing?.MMProjFile ?? ModelFileInfo.None : Info(plan.MMProj);
        var detected = ModelTypeDetector.Detect(Path.Combine(dir, plan.Quant.Main.Path), mmproj.IsPresent);
        return new ModelManifest
        {
            Name = name.Id,
            ModelName = detected.Architecture ?? existing?.ModelName ?? "",
            ModelType = modelType ?? detected.Type,
            PluginId = existing?.PluginId is { Length: > 0 } plugin ? plugin : "cpu_gpu",
            DeviceId = existing?.DeviceId ?? "",
            MinSDKVersion = existing?.MinSDKVersion ?? "",
            ModelFile = modelFiles,
            MMProjFile = mmproj,
            TokenizerFile = plan.Tokenizer is null ? existing?.TokenizerFile ?? ModelFileInfo.None : Info(plan.Tokenizer),
            ExtraFiles = extras,
            Revision = revision,
        };
    }
}
