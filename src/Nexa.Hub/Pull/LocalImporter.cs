using System.Diagnostics;
using System.Runtime.InteropServices;
using Nexa.Hub.Gguf;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Store;

namespace Nexa.Hub.Pull;

/// <summary>
/// <c>nexa pull &lt;name&gt; --local-path &lt;file or folder&gt;</c>: brings GGUF files that are already on this
/// machine into the store under a name, hard-linked where the file system allows (no copy, no extra space),
/// copied otherwise. Every GGUF is checked with the reader first, so llama.cpp never sees a malformed file. A folder
/// with a model_index.json is an image generation pipeline: its ONNX files are imported as a pull would fetch them.
/// </summary>
public sealed partial class LocalImporter(ModelStore store, IPullProgress progress)
{
    public async Task<PullResult> ImportAsync(ModelName name, string source, string? modelType, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        name = store.Spelling(name);
        source = Path.GetFullPath(source);
        var (root, files) = Collect(source);
        var snapshot = new RepoSnapshot(name.Id, "local", files);
        if (ImagePipelineFiles.IsPipeline(files))
            return await ImportPlansAsync(name, root, [PullPlanner.Plan(snapshot, name.Quant, (_, _) => null)], modelType, clock, ct);

        var quants = PullPlanner.Quants(files, name.Id);
        if (quants.Count == 0)
            throw new HubException(HubErrorKind.NotFound, $"no GGUF file in {source}");
        if (name.Quant is not null && quants.All(q => q.Quant != name.Quant))
            throw new HubException(HubErrorKind.NotFound, $"{source} has no {name.Quant} file; it has: {string.Join(", ", quants.Select(q => q.Quant))}");
        foreach (var file in files.Where(f => f.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)))
            GgufReader.Read(Path.Combine(root, file.Path)); // throws a clear GgufFormatException

        var selected = name.Quant is null ? quants : quants.Where(q => q.Quant == name.Quant).ToList();
        return await ImportPlansAsync(name, root, [.. selected.Select(q => PullPlanner.Plan(snapshot, q.Quant, (_, _) => null))], modelType, clock, ct);
    }

    private async Task<PullResult> ImportPlansAsync(ModelName name, string root, IReadOnlyList<PullPlan> plans, string? modelType, Stopwatch clock, CancellationToken ct)
    {
        using var held = await ModelLock.AcquireAsync(store.LockPath(name),
            () => progress.Info($"another nexa process is writing {name.Id}; waiting for it to finish"), ct);
        var dir = store.ModelDir(name);
        var manifest = store.Find(name)?.Manifest;
        foreach (var plan in plans)
        {
            foreach (var file in plan.AllFiles)
            {
                ct.ThrowIfCancellationRequested();
                progress.FileStarted(file.Path, file.Size, 0);
                LinkOrCopy(Path.Combine(root, file.Path), Path.Combine(dir, file.Path));
                progress.BytesReceived(file.Path, file.Size);
                progress.FileCompleted(file.Path);
            }
            manifest = ManifestBuilder.Add(manifest, name, plan, "local", dir, modelType);
        }
        store.WriteManifest(name, manifest!);
        var first = plans[0].Quant.Quant;
        return new PullResult(name with { Quant = first }, first, manifest!, false, 0, clock.Elapsed);
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

    private static bool SameShardSet(string a, string b) =>
        PullPlanner.ShardStem(Path.GetFileName(a)) is { } stem && stem == PullPlanner.ShardStem(Path.GetFileName(b));

    private static RepoFile Local(string root, string path) =>
        new(Path.GetRelativePath(root, path).Replace('\\', '/'), new FileInfo(path).Length, null, null);

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
