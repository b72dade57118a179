using System.Text.Json;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Hub;

public class ModelStoreTests
{
    // Written as the original Nexa SDK (Go) writes it: PascalCase keys, no Sha256, ExtraFiles null.
    private const string OriginalManifest = """
        {"Name":"NexaAI/Qwen3-0.6B-GGUF","ModelName":"qwen3-0.6b","ModelType":"llm","PluginId":"cpu_gpu","DeviceId":"","MinSDKVersion":"",
         "ModelFile":{"Q4_0":{"Name":"Qwen3-0.6B-Q4_0.gguf","Downloaded":true,"Size":400},"Q8_0":{"Name":"Qwen3-0.6B-Q8_0.gguf","Downloaded":false,"Size":700}},
         "MMProjFile":{"Name":"","Downloaded":false,"Size":0},"TokenizerFile":{"Name":"","Downloaded":false,"Size":0},"ExtraFiles":null}
        """;

    [Fact]
    public void Reads_a_manifest_written_by_the_original()
    {
        using var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        var name = ModelName.Parse("NexaAI/Qwen3-0.6B-GGUF");
        Directory.CreateDirectory(store.ModelDir(name));
        File.WriteAllText(store.ManifestPath(name), OriginalManifest);

        var model = Assert.Single(store.List());
        Assert.Equal("NexaAI/Qwen3-0.6B-GGUF", model.Name.Id);
        Assert.Equal(["Q4_0"], model.Manifest.DownloadedQuants);
        Assert.Equal(400, model.Manifest.TotalSize);
        Assert.Equal("llm", model.Manifest.ModelType);
    }

    [Fact]
    public void Writes_the_originals_keys_plus_ours()
    {
        using var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        var name = ModelName.Parse("org/m");
        store.WriteManifest(name, new ModelManifest
        {
            Name = "org/m",
            ModelFile = new() { ["Q8_0"] = new ModelFileInfo { Name = "m-Q8_0.gguf", Downloaded = true, Size = 5, Sha256 = "ab" } },
        });

        using var json = JsonDocument.Parse(File.ReadAllText(store.ManifestPath(name)));
        var keys = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var key in (string[])["Name", "ModelName", "ModelType", "PluginId", "DeviceId", "MinSDKVersion", "ModelFile", "MMProjFile", "TokenizerFile", "ExtraFiles"])
            Assert.Contains(key, keys);
        var file = json.RootElement.GetProperty("ModelFile").GetProperty("Q8_0");
        Assert.Equal("m-Q8_0.gguf", file.GetProperty("Name").GetString());
        Assert.True(file.GetProperty("Downloaded").GetBoolean());
        Assert.Equal("ab", file.GetProperty("Sha256").GetString());
        Assert.False(File.Exists(store.ManifestPath(name) + ".tmp"));
    }

    [Fact]
    public void A_folder_without_manifest_is_an_unfinished_pull_and_never_listed()
    {
        using var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        var name = ModelName.Parse("org/half");
        Directory.CreateDirectory(store.ModelDir(name));
        File.WriteAllText(Path.Combine(store.ModelDir(name), "m.gguf.partial"), "xx");

        Assert.Empty(store.List());
        Assert.Null(store.Find(name));
    }

    [Fact]
    public void Remove_and_clean_delete_models_and_unfinished_pulls()
    {
        using var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        foreach (var n in (string[])["org/a", "org/b", "other/c"])
        {
            var name = ModelName.Parse(n);
            store.WriteManifest(name, new ModelManifest { Name = n });
        }
        Directory.CreateDirectory(store.ModelDir(ModelName.Parse("org/unfinished")));

        Assert.True(store.Remove(ModelName.Parse("org/a")));
        Assert.False(store.Remove(ModelName.Parse("org/a")));
        Assert.Equal(["org/b", "other/c"], store.List().Select(m => m.Name.Id));

        Assert.Equal(2, store.Clean());
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.ModelsDir));
    }

    [Fact]
    public void The_lock_is_exclusive_and_remove_refuses_while_it_is_held()
    {
        using var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        var name = ModelName.Parse("org/m");
        store.WriteManifest(name, new ModelManifest { Name = "org/m" });

        using (var held = ModelLock.TryAcquire(store.LockPath(name)))
        {
            Assert.NotNull(held);
            Assert.Null(ModelLock.TryAcquire(store.LockPath(name)));
            var e = Assert.Throws<HubException>(() => store.Remove(name));
            Assert.Equal(HubErrorKind.Conflict, e.Kind);
        }
        Assert.True(store.Remove(name));
    }

    [Fact]
    public void Default_data_dir_is_the_originals_unless_NEXA_DATADIR_is_set()
    {
        Assert.Equal("/x/y", ModelStore.DefaultDataDir(v => v == "NEXA_DATADIR" ? "/x/y" : null));
        Assert.EndsWith(Path.Combine(".cache", "nexa.ai", "nexa_sdk"), ModelStore.DefaultDataDir(_ => null));
    }
}

public class StoredModelTests
{
    private static StoredModel With(params string[] quants) => new(ModelName.Parse("org/m"), "/d", new ModelManifest
    {
        ModelFile = quants.ToDictionary(q => q, q => new ModelFileInfo { Name = $"m-{q}.gguf", Downloaded = true, Size = 1 }),
    });

    [Theory]
    [InlineData(new[] { "Q8_0", "Q4_K_M", "Q4_0" }, "Q4_0")]
    [InlineData(new[] { "Q8_0", "Q4_K_M" }, "Q4_K_M")]
    [InlineData(new[] { "F16", "Q8_0" }, "Q8_0")]
    [InlineData(new[] { "F16", "BF16" }, "BF16")]
    public void A_request_without_quant_gets_a_fixed_documented_choice(string[] quants, string expected) =>
        Assert.Equal(expected, With(quants).ChooseQuant(null));

    [Fact]
    public void A_requested_quant_must_be_downloaded()
    {
        Assert.Equal("Q8_0", With("Q8_0", "Q4_0").ChooseQuant("q8_0"));
        Assert.Null(With("Q4_0").ChooseQuant("Q8_0"));
        Assert.Equal("/d/m-Q4_0.gguf", With("Q4_0").ModelPath("Q4_0"));
    }
}
