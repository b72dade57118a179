using System.Diagnostics;
using Nexa.Hub.Gguf;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Store;

namespace Nexa.Hub.Pull;

public sealed record PullRequest(ModelName Name)
{
    /// <summary>Overrides detection (llm, vlm, embedder, reranker, image_gen, asr, tts).</summary>
    public string? ModelType { get; init; }

    /// <summary>Asked when several quants exist and none was named; null means "take the default".</summary>
    public Func<IReadOnlyList<QuantFiles>, string, string?> ChooseQuant { get; init; } = (_, _) => null;
}

public sealed record PullResult(ModelName Name, string Quant, ModelManifest Manifest, bool AlreadyPulled, long BytesDownloaded, TimeSpan Elapsed);

/// <summary>
/// <c>nexa pull</c>: holds the model's lock, asks the hub what the repository has, plans the files,
/// downloads what is missing, detects the model type and writes the manifest last.
/// </summary>
public sealed class ModelPuller(ModelStore store, HubClient hub, FileDownloader downloader, IPullProgress progress)
{
    public async Task<PullResult> PullAsync(PullRequest request, CancellationToken ct)
    {
        // The hub ignores case in repo ids; the store must too, or Me/Tiny would become a second copy of me/tiny.
        var name = store.Spelling(request.Name);
        var clock = Stopwatch.StartNew();
        using var held = await ModelLock.AcquireAsync(store.LockPath(name),
            () => progress.Info($"another nexa process is pulling {name.Id}; waiting for it to finish"), ct);

        var existing = store.Find(name);
        if (existing is not null && AlreadyHas(existing, name.Quant) is { } present)
            return new PullResult(name with { Quant = present }, present, existing.Manifest, true, 0, clock.Elapsed);

        var snapshot = await hub.GetSnapshotAsync(name.Id, ct);
        var plan = PullPlanner.Plan(snapshot, name.Quant, request.ChooseQuant);
        if (plan.QuantWasDefaulted)
            progress.Info($"{name.Id} has {PullPlanner.Quants(snapshot.Files, name.Id).Count} quants; taking the default {plan.Quant.Quant} (name one with {name.Id}:<QUANT>)");

        var dir = store.ModelDir(name);
        var toFetch = plan.AllFiles.Where(f => !IsOnDisk(existing, dir, f)).ToList();
        EnsureDiskSpace(dir, toFetch);

        long downloaded = 0;
        foreach (var file in toFetch)
        {
            var target = Path.Combine(dir, file.Path);
            await downloader.DownloadAsync(hub.ResolveUrl(name.Id, snapshot.Revision, file.Path), file, target, progress, ct);
            downloaded += file.Size;
        }

        ModelManifest manifest;
        try
        {
            manifest = ManifestBuilder.Add(existing?.Manifest, name, plan, snapshot.Revision, dir, request.ModelType);
        }
        catch (GgufFormatException)
        {
            // A file with the hub's hash that is still no valid GGUF: keep nothing of it (llama.cpp must never see it).
            foreach (var file in toFetch)
                File.Delete(Path.Combine(dir, file.Path));
            throw;
        }
        store.WriteManifest(name, manifest);
        return new PullResult(name with { Quant = plan.Quant.Quant }, plan.Quant.Quant, manifest, false, downloaded, clock.Elapsed);
    }

    /// <summary>The quant that makes this pull a no-op, if any: the one asked for, or any when none was named.</summary>
    private static string? AlreadyHas(StoredModel model, string? quant)
    {
        var quants = model.Manifest.DownloadedQuants.Where(q => File.Exists(model.PathOf(model.Manifest.ModelFile[q].Name))).ToList();
        return quant is null ? quants.FirstOrDefault() : quants.FirstOrDefault(q => q == quant);
    }

    // A file is kept when the manifest already lists it as downloaded with the same hash and it is on disk at its size.
    private static bool IsOnDisk(StoredModel? existing, string dir, RepoFile file)
    {
        if (existing is null)
            return false;
        var known = existing.Manifest.AllFiles.FirstOrDefault(f => f.Name == file.Path);
        var path = Path.Combine(dir, file.Path);
        return known is { Downloaded: true } && known.Size == file.Size && (known.Sha256 is null || file.Sha256 is null || known.Sha256 == file.Sha256)
            && File.Exists(path) && new FileInfo(path).Length == file.Size;
    }

    private static void EnsureDiskSpace(string dir, IReadOnlyList<RepoFile> files)
    {
        Directory.CreateDirectory(dir);
        var needed = files.Sum(f =>
        {
            var partial = Path.Combine(dir, f.Path) + ".partial.json";
            return f.Size - (File.Exists(partial) ? DownloadState.Load(partial)?.Downloaded ?? 0 : 0);
        });
        var free = new DriveInfo(Path.GetFullPath(dir)).AvailableFreeSpace;
        const long margin = 64L << 20;
        if (needed + margin > free)
            throw new HubException(HubErrorKind.Storage,
                $"not enough disk space in {dir}: the pull needs {Bytes.Format(needed)}, {Bytes.Format(free)} is free");
    }
}
