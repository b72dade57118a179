using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Pull;

/// <summary>The CLI ignores case in model names as the hub does: no second copy, rm and infer find the pulled one.</summary>
public class ModelNameCaseCommandTests : PullTestBase
{
    [Fact]
    public async Task Pulling_a_case_variant_completes_the_existing_model_instead_of_a_second_copy()
    {
        Hub.AddFile("me/tiny", "tiny-Q8_0.gguf", ChatModelBytes(1));
        Hub.AddFile("me/tiny", "tiny-Q4_0.gguf", ChatModelBytes(2));
        Assert.Equal(0, (await Nexa("pull", "me/tiny:Q8_0")).ExitCode);

        var again = await Nexa("pull", "Me/Tiny:Q8_0");
        var other = await Nexa("pull", "ME/TINY:Q4_0");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("me/tiny:Q8_0 is already pulled", again.Out);
        Assert.Equal(0, other.ExitCode);
        var model = Assert.Single(Store.List());
        Assert.Equal("me/tiny", model.Name.Id);
        Assert.Equal(["Q4_0", "Q8_0"], model.Manifest.DownloadedQuants.Order(StringComparer.Ordinal));
        Assert.Equal(["me"], Directory.EnumerateDirectories(Store.ModelsDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Importing_under_a_case_variant_adds_to_the_existing_model()
    {
        TinyModels.WriteChatModel(Dir["m-Q8_0.gguf"], 1);
        TinyModels.WriteChatModel(Dir["m-F16.gguf"], 2);
        Assert.Equal(0, (await Nexa("pull", "me/m", "--local-path", Dir["m-Q8_0.gguf"])).ExitCode);

        Assert.Equal(0, (await Nexa("pull", "ME/M", "--local-path", Dir["m-F16.gguf"])).ExitCode);

        Assert.Equal(["F16", "Q8_0"], Assert.Single(Store.List()).Manifest.DownloadedQuants.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Remove_takes_any_case_and_suggests_the_nearest_name_for_a_typo()
    {
        TinyModels.WriteChatModel(Dir["a-Q8_0.gguf"], 1);
        Assert.Equal(0, (await Nexa("pull", "me/alpha", "--local-path", Dir["a-Q8_0.gguf"])).ExitCode);

        var typo = await Nexa("rm", "me/alpah");
        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("did you mean me/alpha", typo.Error);

        var rm = await Nexa("rm", "Me/ALPHA");
        Assert.Equal(0, rm.ExitCode);
        Assert.Contains("removed me/alpha", rm.Out);
        Assert.Empty(Store.List());
    }

    [Fact]
    public async Task Infer_runs_a_pulled_model_named_in_another_case_without_pulling()
    {
        TinyModels.WriteChatModel(Dir["tiny-Q8_0.gguf"], 1);
        Assert.Equal(0, (await Nexa("pull", "me/tiny", "--local-path", Dir["tiny-Q8_0.gguf"])).ExitCode);
        Variables["HF_ENDPOINT"] = "http://127.0.0.1:9"; // nothing listens: a pull would fail

        var result = await Nexa("infer", "ME/Tiny", "-p", "Hello", "--max-tokens", "4", "--threads", "1", "--nctx", "256");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("loading me/tiny:Q8_0", result.Error);
        Assert.DoesNotContain("pulling", result.Error);
        Assert.Single(Store.List());
    }
}
