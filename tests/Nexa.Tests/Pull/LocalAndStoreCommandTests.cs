using Nexa.Hub;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Pull;

public class LocalAndStoreCommandTests : PullTestBase
{
    [Fact]
    public async Task Imports_a_local_gguf_without_the_network()
    {
        var source = Dir["my-model-Q4_K_M.gguf"];
        TinyModels.WriteChatModel(source, 7);
        Variables["HF_ENDPOINT"] = "http://127.0.0.1:9"; // nothing listens: any network use would fail

        var pull = await Nexa("pull", "me/my-model", "--local-path", source);

        Assert.Equal(0, pull.ExitCode);
        var model = Store.Find(ModelName.Parse("me/my-model"))!;
        Assert.Equal(["Q4_K_M"], model.Manifest.DownloadedQuants);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(model.PathOf("my-model-Q4_K_M.gguf")));
        Assert.Equal("llm", model.Manifest.ModelType);
    }

    [Fact]
    public async Task Imports_a_folder_with_a_model_type_override()
    {
        Directory.CreateDirectory(Dir["folder"]);
        TinyModels.WriteChatModel(Dir["folder/m-Q8_0.gguf"], 1);
        TinyModels.WriteChatModel(Dir["folder/m-F16.gguf"], 2);

        var pull = await Nexa("pull", "me/folder", "--local-path", Dir["folder"], "--model-type", "embedder");

        Assert.Equal(0, pull.ExitCode);
        var manifest = Store.Find(ModelName.Parse("me/folder"))!.Manifest;
        Assert.Equal(["F16", "Q8_0"], manifest.DownloadedQuants);
        Assert.Equal("embedder", manifest.ModelType);
    }

    [Fact]
    public async Task Refuses_to_import_a_file_that_is_not_a_valid_gguf()
    {
        await File.WriteAllTextAsync(Dir["broken-Q8_0.gguf"], "not a gguf");

        var pull = await Nexa("pull", "me/broken", "--local-path", Dir["broken-Q8_0.gguf"]);

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("broken-Q8_0.gguf", pull.Error);
        Assert.Empty(Store.List());
    }

    [Fact]
    public async Task Remove_and_clean_say_what_they_did()
    {
        foreach (var name in (string[])["me/a", "me/b", "me/c"])
        {
            TinyModels.WriteChatModel(Dir[name.Replace('/', '_') + "-Q8_0.gguf"], 1);
            Assert.Equal(0, (await Nexa("pull", name, "--local-path", Dir[name.Replace('/', '_') + "-Q8_0.gguf"])).ExitCode);
        }

        var rm = await Nexa("rm", "me/a");
        Assert.Equal(0, rm.ExitCode);
        Assert.Contains("removed me/a", rm.Out);
        var missing = await Nexa("remove", "me/a");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not pulled", missing.Error);

        var clean = await Nexa("clean");
        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("removed 2 models", clean.Out);
        Assert.Contains("No models pulled yet", (await Nexa("ls")).Out);
    }

    [Fact]
    public async Task List_verbose_shows_type_and_paths()
    {
        TinyModels.WriteChatModel(Dir["v-Q8_0.gguf"], 1);
        Assert.Equal(0, (await Nexa("pull", "me/v", "--local-path", Dir["v-Q8_0.gguf"])).ExitCode);

        var list = await Nexa("list", "-v");

        Assert.Contains("TYPE", list.Out);
        Assert.Contains("llm", list.Out);
        Assert.Contains("llama", list.Out);
        Assert.Contains(TinyModels.ContextLength.ToString(System.Globalization.CultureInfo.InvariantCulture), list.Out);
        Assert.Contains("v-Q8_0.gguf", list.Out);
    }
}
