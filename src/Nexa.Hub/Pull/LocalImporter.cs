using System.Diagnostics;
using System.Runtime.InteropServices;
using Nexa.Hub.Gguf;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Store;

namespace Nexa.Hub.Pull;

/// <summary>
/// <c>nexa pull &lt;name&gt; --local-path &lt;file or folder&gt;</c>: brings GGUF files that are already on this
/// machine into the store under a name, hard-linked where the file system allows (no copy, no extra space),
/// copied otherwise. Every GGUF is checked with the reader first, so llama.cpp never sees a malformed file.
/// </summary>
public sealed partial class LocalImporter(ModelStore store, IPullProgress progress)
{
    public async Task<PullResult> ImportAsync(ModelName name, string source, string? modelType, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        source = Path.GetFullPath(source);
        var (root, files) = Collect(source);
        var snapshot = new RepoSnapshot(name.Id, "local", files);

        var quants = PullPlanner.Quants(files, name.Id);
        if (quants.Count == 0)
            throw new HubException(HubErrorKind.NotFound, $"no GGUF file in {source}");
        if (name.Quant is not null && quants.All(q => q.Quant != name.Quant))
            throw new HubException(HubErrorKind.NotFound, $"{source} has no {name.Quant} file; it has: {string.Join(", ", quants.Select(q => q.Quant))}");
        foreach (var file in files.Where(f => f.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)))
            GgufReader.Read(Path.Combine(root, file.Path)); // throws a clear GgufFormatException

        using var held = await ModelLock.AcquireAsync(store.LockPath(name),
            () => progress.Info($"another nexa process is writing {name.Id}; waiting for it to finish"), ct);
        var dir = store.ModelDir(name);
        var existing = store.Find(name)?.Manifest;
        var selected = name.Quant is null ? quants : quants.Where(q => q.Quant == name.Quant).ToList();
        var manifest = existing ?? new ModelManifest { Name = name.Id };
        foreach (var quant in selected)
        {
            var plan = PullPlanner.Plan(snapshot, quant.Quant, (_, _) => null);
            foreach (var file in plan.AllFiles)
            {
                ct.ThrowIfCancellationRequested();
                progress.FileStarted(file.Path, file.Size, 0);
                LinkOrCopy(Path.Combine(root, file.Path), Path.Combine(dir, file.Path));
                progress.BytesReceived(file.Path, file.Size);
                progress.FileCompleted(file.Path);
            }
            manifest = Merge(manifest, plan, dir, modelType);
        }
        store.WriteManifest(name, manifest);
        var first = selected[0].Quant;
        return new PullResult(name with { Quant = first }, first, manifest, false, 0, clock.Elapsed);
    }

    private static (string Root, List<RepoFile> Files) Collect(string source)
    {
        if (File.Exists(source))
        {
            if (!source.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
                throw new HubException(HubErrorKind.Unsupported, $"{source} is not a .gguf file");
            var root = Path.GetDirectoryName(source)!;
            var files = new List<RepoFile> { Local(root, source) };
            // A split GGUF brings its other shards; a single file brings a mmproj beside it only if named explicitly.
            files.AddRange(Directory.EnumerateFiles(root, "*.gguf")
                .Where(p => p != source && SameShardSet(p, source))
                .Select(p => Local(root, p)));
            return (root, files);
        }
        if (Directory.Exists(source))
        {
            var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                .Where(p => !p.EndsWith(".partial", StringComparison.Ordinal) && !p.EndsWith(".partial.json", StringComparison.Ordinal))
                .Select(p => Local(source, p))
                .ToList();
            return (source, files);
        }
        throw new HubException(HubErrorKind.NotFound, $"{source} does not exist");
    }

    private static bool SameShardSet(string a, string b)
    {
        static string? Stem(string p) => System.Text.RegularExpressions.Regex.Match(Path.GetFileName(p), @"^(.*)-\d{5}-of-\d{5}\.gguf$", System.Text.RegularExpressions.RegexOptions.IgnoreCase) is { Success: true } m ? m.Groups[1].Value : null;
        return Stem(a) is { } stem && stem == Stem(b);
    }

    private static RepoFile Local(string root, string path) =>
        new(Path.GetRelativePath(root, path).Replace('\\', '/'), new FileInfo(path).Length, null, null);

    private static ModelManifest Merge(ModelManifest manifest, PullPlan plan, string dir, string? modelType)
    {
        static ModelFileInfo Info(RepoFile f) => new() { Name = f.Path, Downloaded = true, Size = f.Size };
        var modelFiles = new Dictionary<string, ModelFileInfo>(manifest.ModelFile, StringComparer.OrdinalIgnoreCase) { [plan.Quant.Quant] = Info(plan.Quant.Main) };
        var extras = (manifest.ExtraFiles ?? []).Where(e => plan.AllFiles.All(f => f.Path != e.Name)).ToList();
        extras.AddRange(plan.Quant.Files.Skip(1).Concat(plan.Extras).Select(Info));
        var mmproj = plan.MMProj is null ? manifest.MMProjFile : Info(plan.MMProj);
        var detected = ModelTypeDetector.Detect(Path.Combine(dir, plan.Quant.Main.Path), mmproj.IsPresent);
        return manifest with
        {
            ModelName = detected.Architecture ?? manifest.ModelName,
            ModelType = modelType ?? detected.Type,
            ModelFile = modelFiles,
            MMProjFile = mmproj,
            TokenizerFile = plan.Tokenizer is null ? manifest.TokenizerFile : Info(plan.Tokenizer),
            ExtraFiles = extras,
            Revision = "local",
        };
    }

    private static void LinkOrCopy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        if (File.Exists(to))
            File.Delete(to);
        if (!OperatingSystem.IsWindows() && Link(from, to) == 0)
            return;
        File.Copy(from, to);
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);
}
