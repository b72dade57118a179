using System.Text.RegularExpressions;
using Nexa.Hub.HuggingFace;

namespace Nexa.Hub.Pull;

/// <summary>One quant of a model: a GGUF file, or all shards of a split GGUF, first shard first.</summary>
public sealed record QuantFiles(string Quant, IReadOnlyList<RepoFile> Files)
{
    public long Size => Files.Sum(f => f.Size);
    public RepoFile Main => Files[0];
}

/// <summary>What a pull downloads from a repository, decided from the file list alone.</summary>
public sealed record PullPlan(QuantFiles Quant, RepoFile? MMProj, RepoFile? Tokenizer, IReadOnlyList<RepoFile> Extras, bool QuantWasDefaulted)
{
    public IEnumerable<RepoFile> AllFiles =>
        Quant.Files.Concat(MMProj is null ? [] : [MMProj]).Concat(Tokenizer is null ? [] : [Tokenizer]).Concat(Extras);

    public long TotalSize => AllFiles.Sum(f => f.Size);
}

/// <summary>Chooses the files of a pull: the GGUF by quant, shards as one unit, the mmproj companion, small config files.</summary>
public static partial class PullPlanner
{
    // Small files a model may need beside its weights (chat template, tokenizer, generation defaults).
    private static readonly string[] SmallFiles =
        ["config.json", "generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.json", "chat_template.jinja", "preprocessor_config.json"];
    private const long SmallFileLimit = 64L << 20;

    /// <summary>Every quant the repository offers (mmproj files excluded), in display order.</summary>
    public static IReadOnlyList<QuantFiles> Quants(IReadOnlyList<RepoFile> files, string repo)
    {
        var ggufs = files.Where(f => f.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && !IsMMProj(f)).ToList();
        var units = new List<QuantFiles>();
        foreach (var group in ggufs.GroupBy(f => ShardStem(f.Path) ?? f.Path, StringComparer.Ordinal))
        {
            var parts = group.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            if (ShardStem(parts[0].Path) is not null)
            {
                var expected = ShardCount(parts[0].Path);
                if (parts.Count != expected)
                    throw new HubException(HubErrorKind.Unsupported,
                        $"{repo}: split GGUF {Path.GetFileName(group.Key)} has {parts.Count} of its {expected} shards in the repository");
            }
            units.Add(new QuantFiles(QuantNames.FromFileName(parts[0].Path), parts));
        }

        // Two files with one quant (e.g. in different folders): keep the one at the top level, then the shorter path.
        return [.. units.GroupBy(u => u.Quant)
            .Select(g => g.OrderBy(u => u.Main.Path.Count(c => c == '/')).ThenBy(u => u.Main.Path.Length).First())
            .OrderBy(u => QuantNames.InDisplayOrder(units.Select(x => x.Quant)).ToList().IndexOf(u.Quant))];
    }

    /// <summary>
    /// Builds the plan. <paramref name="chooseQuant"/> is asked only when several quants exist and none was
    /// named; it gets the quants and the default, and returns the choice (or null for the default).
    /// </summary>
    public static PullPlan Plan(RepoSnapshot snapshot, string? quant, Func<IReadOnlyList<QuantFiles>, string, string?> chooseQuant)
    {
        // A diffusers pipeline (model_index.json) is one unit of ONNX files, not a choice of GGUF quants.
        if (ImagePipelineFiles.IsPipeline(snapshot.Files))
        {
            if (quant is not null && quant != ImagePipelineFiles.Quant)
                throw new HubException(HubErrorKind.NotFound, $"{snapshot.Repo} is an image generation pipeline: it has no {quant} file, only its {ImagePipelineFiles.Quant} export");
            return new PullPlan(ImagePipelineFiles.Select(snapshot.Files, snapshot.Repo), null, null, [], false);
        }

        var quants = Quants(snapshot.Files, snapshot.Repo);
        if (quants.Count == 0)
            throw new HubException(HubErrorKind.Unsupported, NoGgufMessage(snapshot));

        QuantFiles chosen;
        var defaulted = false;
        if (quant is not null)
        {
            chosen = quants.FirstOrDefault(q => q.Quant == quant)
                ?? throw new HubException(HubErrorKind.NotFound,
                    $"{snapshot.Repo} has no {quant} file; it has: {string.Join(", ", quants.Select(q => q.Quant))}");
        }
        else if (quants.Count == 1)
        {
            chosen = quants[0];
        }
        else
        {
            var fallback = DefaultQuant(quants);
            var answer = chooseQuant(quants, fallback.Quant);
            defaulted = answer is null;
            chosen = answer is null ? fallback : quants.FirstOrDefault(q => q.Quant == answer.ToUpperInvariant())
                ?? throw new HubException(HubErrorKind.NotFound, $"{snapshot.Repo} has no {answer} file");
        }

        var mmproj = snapshot.Files.Where(IsMMProj).OrderByDescending(f => f.Size).FirstOrDefault();
        var tokenizer = snapshot.Files.FirstOrDefault(f => f.Path == "tokenizer.json" && f.Size <= SmallFileLimit);
        var extras = snapshot.Files.Where(f => SmallFiles.Contains(f.Path) && f.Size <= SmallFileLimit).ToList();
        return new PullPlan(chosen, mmproj, tokenizer, extras, defaulted);
    }

    /// <summary>The original's default: Q4_0, then Q4_K_M, then Q8_0; otherwise the smallest file.</summary>
    public static QuantFiles DefaultQuant(IReadOnlyList<QuantFiles> quants) =>
        QuantNames.Preferred.Select(p => quants.FirstOrDefault(q => q.Quant == p)).FirstOrDefault(q => q is not null)
        ?? quants.OrderBy(q => q.Size).First();

    public static bool IsMMProj(RepoFile file) =>
        file.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
        && Path.GetFileName(file.Path).Contains("mmproj", StringComparison.OrdinalIgnoreCase);

    // Judged by the files, never by the repository's name: a GGUF under a name ending in -npu is still pulled.
    private static string NoGgufMessage(RepoSnapshot snapshot)
    {
        bool Has(string ext) => snapshot.Files.Any(f => f.Path.EndsWith(ext, StringComparison.OrdinalIgnoreCase));
        var names = snapshot.Files.Select(f => Path.GetFileName(f.Path)).ToList();
        var repo = snapshot.Repo;
        if (Has(".nexa"))
            return $"{repo} is an NPU build in Nexa's .nexa format: it runs only on a Qualcomm, Intel or AMD NPU with the Nexa SDK; pull a GGUF repository instead";
        if (Has(".onnx"))
            return $"{repo} holds ONNX models (an NPU or ONNX Runtime build), which this llama.cpp runtime cannot run; pull a GGUF repository instead";
        if (Has(".mlpackage") || Has(".mlmodelc"))
            return $"{repo} holds Core ML models, which run only on Apple devices; pull a GGUF repository instead";
        if (Has(".safetensors") || Has(".npz"))
            return $"{repo} holds safetensors/MLX weights, which run on macOS with MLX (Apple silicon), not here; pull a GGUF build of this model instead";
        if (snapshot.Files.Count == 0)
            return $"{repo} is empty";
        return $"{repo} has no GGUF file; nexa runs GGUF models (files: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", …" : "")})";
    }

    /// <summary>For a shard <c>x-00001-of-00003.gguf</c>, the part before the shard suffix; null for other files.</summary>
    internal static string? ShardStem(string path)
    {
        var m = ShardPattern().Match(path);
        return m.Success ? m.Groups["stem"].Value : null;
    }

    private static int ShardCount(string path) => int.Parse(ShardPattern().Match(path).Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<stem>.*)-(?<index>\d{5})-of-(?<count>\d{5})\.gguf$", RegexOptions.IgnoreCase)]
    private static partial Regex ShardPattern();
}
