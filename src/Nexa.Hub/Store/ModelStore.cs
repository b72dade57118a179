using System.Text.Json;

namespace Nexa.Hub.Store;

/// <summary>A model found in the store: its name, its folder and its manifest.</summary>
public sealed record StoredModel(ModelName Name, string Directory, ModelManifest Manifest)
{
    public string PathOf(string fileName) => System.IO.Path.Combine(Directory, fileName);

    /// <summary>
    /// The quant to load: the one asked for if it is downloaded (null if not); with none asked for, a fixed
    /// choice (the original picks at random): Q4_0, then Q4_K_M, then Q8_0, then the first in name order.
    /// </summary>
    public string? ChooseQuant(string? requested)
    {
        var quants = Manifest.DownloadedQuants;
        if (requested is not null)
            return quants.FirstOrDefault(q => string.Equals(q, requested, StringComparison.OrdinalIgnoreCase));
        return Pull.QuantNames.Preferred.FirstOrDefault(quants.Contains) ?? quants.FirstOrDefault();
    }

    /// <summary>The GGUF to load for a quant (the first shard of a split model).</summary>
    public string ModelPath(string quant) => PathOf(Manifest.ModelFile[quant].Name);

    /// <summary>The vision projector, when the model has one on disk.</summary>
    public string? MMProjPath => Manifest.MMProjFile.IsPresent ? PathOf(Manifest.MMProjFile.Name) : null;
}

/// <summary>
/// The model store: <c>&lt;data-dir&gt;/models/&lt;org&gt;/&lt;repo&gt;/</c> holds a model's files and its
/// <c>nexa.manifest</c>, written last and atomically. A folder without a manifest is an unfinished pull.
/// </summary>
public sealed class ModelStore(string dataDir)
{
    public const string ManifestFileName = "nexa.manifest";

    public string DataDir { get; } = Path.GetFullPath(dataDir);
    public string ModelsDir => Path.Combine(DataDir, "models");

    /// <summary>The original's location, so that models it pulled are found here and ours there.</summary>
    public static string DefaultDataDir(Func<string, string?> env)
    {
        var fromEnv = env("NEXA_DATADIR");
        if (!string.IsNullOrWhiteSpace(fromEnv))
            return fromEnv;
        var cache = env("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "nexa.ai", "nexa_sdk");
    }

    public string ModelDir(ModelName name) => Path.Combine(ModelsDir, name.Org, name.Repo);
    public string LockPath(ModelName name) => Path.Combine(ModelsDir, name.Org, name.Repo + ".lock");
    public string ManifestPath(ModelName name) => Path.Combine(ModelDir(name), ManifestFileName);

    /// <summary>The model, or null when it is not pulled (no folder, or no manifest yet).</summary>
    public StoredModel? Find(ModelName name)
    {
        var manifest = ReadManifest(ManifestPath(name));
        return manifest is null ? null : new StoredModel(name.WithoutQuant(), ModelDir(name), manifest);
    }

    /// <summary>
    /// The pulled model a typed name means: the exact spelling, else the one pulled model equal to it but for case;
    /// several such, or none, come back with what to tell the user (<see cref="ModelLookup"/>).
    /// </summary>
    public ModelLookup Lookup(ModelName name)
    {
        if (Find(name) is { } exact)
            return new ModelLookup { Model = exact };
        var pulled = List();
        var sameButCase = pulled.Where(m => string.Equals(m.Name.Id, name.Id, StringComparison.OrdinalIgnoreCase)).ToList();
        return sameButCase.Count switch
        {
            1 => new ModelLookup { Model = sameButCase[0] },
            > 1 => new ModelLookup { Ambiguous = [.. sameButCase.Select(m => m.Name)] },
            _ => new ModelLookup { Closest = NameSuggestions.Closest(name, pulled.Select(m => m.Name)) },
        };
    }

    /// <summary>
    /// The spelling a name has in the store: <paramref name="name"/> itself when its folder exists or when no
    /// folder (pulled or unfinished) equals it but for case, else that folder's. A pull of <c>Me/Tiny</c> then
    /// completes <c>me/tiny</c> instead of starting a second copy; several candidates leave the name as typed.
    /// </summary>
    public ModelName Spelling(ModelName name)
    {
        if (Directory.Exists(ModelDir(name)) || !Directory.Exists(ModelsDir))
            return name;
        var folders = (
            from orgDir in Directory.EnumerateDirectories(ModelsDir)
            where string.Equals(Path.GetFileName(orgDir), name.Org, StringComparison.OrdinalIgnoreCase)
            from repoDir in Directory.EnumerateDirectories(orgDir)
            where string.Equals(Path.GetFileName(repoDir), name.Repo, StringComparison.OrdinalIgnoreCase)
            select (Org: Path.GetFileName(orgDir), Repo: Path.GetFileName(repoDir))).ToList();
        return folders.Count == 1 ? name with { Org = folders[0].Org, Repo = folders[0].Repo } : name;
    }

    /// <summary>Every pulled model, sorted by name. Unfinished pulls and unreadable manifests are skipped.</summary>
    public IReadOnlyList<StoredModel> List()
    {
        if (!Directory.Exists(ModelsDir))
            return [];
        var models = new List<StoredModel>();
        foreach (var orgDir in Directory.EnumerateDirectories(ModelsDir))
        {
            foreach (var repoDir in Directory.EnumerateDirectories(orgDir))
            {
                var org = Path.GetFileName(orgDir);
                var repo = Path.GetFileName(repoDir);
                if (!ModelName.TryParse($"{org}/{repo}", out var name, out _))
                    continue;
                if (ReadManifest(Path.Combine(repoDir, ManifestFileName)) is { } manifest)
                    models.Add(new StoredModel(name, repoDir, manifest));
            }
        }
        return [.. models.OrderBy(m => m.Name.Id, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Writes the manifest atomically: a temporary file beside it, flushed, then renamed over it.</summary>
    public void WriteManifest(ModelName name, ModelManifest manifest)
    {
        var path = ManifestPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, manifest, ManifestJsonContext.Default.ModelManifest);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Deletes a model (pulled or unfinished). Fails if another process holds its lock.</summary>
    public bool Remove(ModelName name)
    {
        var dir = ModelDir(name);
        if (!Directory.Exists(dir))
            return false;
        using var held = ModelLock.TryAcquire(LockPath(name))
            ?? throw new HubException(HubErrorKind.Conflict, $"{name.Id} is being pulled by another nexa process; try again when it is done");
        // Drop the manifest first so a half-deleted folder is never listed as a model.
        File.Delete(Path.Combine(dir, ManifestFileName));
        Directory.Delete(dir, recursive: true);
        File.Delete(LockPath(name));
        var orgDir = Path.GetDirectoryName(dir)!;
        if (!Directory.EnumerateFileSystemEntries(orgDir).Any())
            Directory.Delete(orgDir);
        return true;
    }

    /// <summary>Deletes every model folder, finished or not; returns the number of pulled models removed.</summary>
    public int Clean()
    {
        var removed = List().Count(model => Remove(model.Name));
        if (Directory.Exists(ModelsDir))
        {
            // Unfinished pulls too.
            foreach (var orgDir in Directory.EnumerateDirectories(ModelsDir))
            {
                foreach (var repoDir in Directory.EnumerateDirectories(orgDir))
                {
                    if (ModelName.TryParse($"{Path.GetFileName(orgDir)}/{Path.GetFileName(repoDir)}", out var name, out _))
                        Remove(name);
                }
            }
        }
        return removed;
    }

    internal static ModelManifest? ReadManifest(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, ManifestJsonContext.Default.ModelManifest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
