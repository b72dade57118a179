using Nexa.Hub;

namespace Nexa.Tests.Pull;

public class PullCommandTests : PullTestBase
{
    [Fact]
    public async Task Pulls_a_single_file_repo_and_lists_it()
    {
        var model = ChatModelBytes();
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", model);
        Hub.AddFile("org/tiny", "README.md", "# tiny"u8.ToArray());
        Hub.AddFile("org/tiny", "config.json", "{}"u8.ToArray());

        var pull = await Nexa("pull", "org/tiny");

        Assert.Equal(0, pull.ExitCode);
        Assert.Contains("pulled org/tiny:Q8_0 (llm", pull.Out);
        Assert.Equal(Sha256Of(model), Sha256OfFile(StoredFile("org/tiny", "tiny-Q8_0.gguf")));
        Assert.True(File.Exists(StoredFile("org/tiny", "config.json")));
        Assert.False(File.Exists(StoredFile("org/tiny", "README.md")));
        var manifest = Store.Find(ModelName.Parse("org/tiny"))!.Manifest;
        Assert.Equal("llm", manifest.ModelType);
        Assert.Equal("llama", manifest.ModelName);
        Assert.Equal(Sha256Of(model), manifest.ModelFile["Q8_0"].Sha256);

        var list = await Nexa("list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("org/tiny", list.Out);
        Assert.Contains("Q8_0", list.Out);
        Assert.Contains("NAME", list.Out);
    }

    [Fact]
    public async Task Pulls_the_named_quant_among_several_and_nothing_else()
    {
        Hub.AddFile("org/multi", "m-Q4_0.gguf", ChatModelBytes(1));
        Hub.AddFile("org/multi", "m-Q8_0.gguf", ChatModelBytes(2));
        Hub.AddFile("org/multi", "m-F16.gguf", ChatModelBytes(3));

        var pull = await Nexa("pull", "org/multi:q8_0");

        Assert.Equal(0, pull.ExitCode);
        Assert.True(File.Exists(StoredFile("org/multi", "m-Q8_0.gguf")));
        Assert.False(File.Exists(StoredFile("org/multi", "m-Q4_0.gguf")));
        Assert.Equal(0, Hub.BodyBytesServed("org/multi", "m-Q4_0.gguf"));
        Assert.Equal(["Q8_0"], Store.Find(ModelName.Parse("org/multi"))!.Manifest.DownloadedQuants);
    }

    [Fact]
    public async Task Without_a_quant_or_a_terminal_takes_the_default_and_says_so()
    {
        Hub.AddFile("org/multi", "m-Q8_0.gguf", ChatModelBytes(1));
        Hub.AddFile("org/multi", "m-Q4_0.gguf", ChatModelBytes(2));
        Hub.AddFile("org/multi", "m-Q4_K_M.gguf", ChatModelBytes(3));

        var pull = await Nexa("pull", "org/multi");

        Assert.Equal(0, pull.ExitCode);
        Assert.Contains("taking the default Q4_0", pull.Out);
        Assert.Equal(["Q4_0"], Store.Find(ModelName.Parse("org/multi"))!.Manifest.DownloadedQuants);
    }

    [Fact]
    public async Task A_second_quant_joins_the_manifest_and_a_pulled_quant_is_not_pulled_again()
    {
        Hub.AddFile("org/multi", "m-Q4_0.gguf", ChatModelBytes(1));
        Hub.AddFile("org/multi", "m-Q8_0.gguf", ChatModelBytes(2));
        Assert.Equal(0, (await Nexa("pull", "org/multi:Q4_0")).ExitCode);
        Assert.Equal(0, (await Nexa("pull", "org/multi:Q8_0")).ExitCode);
        var served = Hub.Requests.Count;

        var again = await Nexa("pull", "org/multi:Q8_0");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already pulled", again.Out);
        Assert.Equal(served, Hub.Requests.Count);
        Assert.Equal(["Q4_0", "Q8_0"], Store.Find(ModelName.Parse("org/multi"))!.Manifest.DownloadedQuants);
    }

    [Fact]
    public async Task Unknown_repo_says_not_found_or_needs_a_token_without_a_stack_trace()
    {
        var pull = await Nexa("pull", "org/nope");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("model not found, or it needs a token: org/nope", pull.Error);
        Assert.DoesNotContain("   at ", pull.All);
        Assert.Empty(Store.List());
    }

    [Fact]
    public async Task Sends_the_token_from_HF_TOKEN_or_NEXA_HFTOKEN()
    {
        Hub.AddFile("org/gated", "g-Q8_0.gguf", ChatModelBytes());
        Hub.RequiredToken = "hf_secret";

        var without = await Nexa("pull", "org/gated");
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("needs a token", without.Error);

        Variables["NEXA_HFTOKEN"] = "hf_secret";
        var with = await Nexa("pull", "org/gated");
        Assert.Equal(0, with.ExitCode);
        Assert.Contains(Hub.Requests, r => r.Path.StartsWith("/api/models/org/gated") && r.Authorization == "Bearer hf_secret");
    }

    [Fact]
    public async Task Refuses_an_mlx_repo_naming_the_platform_it_needs()
    {
        Hub.AddFile("NexaAI/gpt-oss-20b-MLX-4bit", "model.safetensors", new byte[100]);
        Hub.AddFile("NexaAI/gpt-oss-20b-MLX-4bit", "config.json", "{}"u8.ToArray());

        var pull = await Nexa("pull", "NexaAI/gpt-oss-20b-MLX-4bit");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("MLX", pull.Error);
        Assert.Contains("macOS", pull.Error);
    }

    [Fact]
    public async Task A_malformed_gguf_from_the_hub_is_refused_and_not_listed()
    {
        Hub.AddFile("org/bad", "bad-Q8_0.gguf", "GGUF but not really a model at all"u8.ToArray());

        var pull = await Nexa("pull", "org/bad");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("bad-Q8_0.gguf", pull.Error);
        Assert.Contains("is not supported (only versions 2 and 3)", pull.Error);
        Assert.Empty(Store.List());
        Assert.False(File.Exists(StoredFile("org/bad", "bad-Q8_0.gguf")));
    }

    [Theory]
    [InlineData("pull")]
    [InlineData("pull", "a/b/c")]
    [InlineData("pull", "org/m", "--model-type", "banana")]
    [InlineData("frobnicate")]
    public async Task Bad_usage_exits_with_2(params string[] args)
    {
        var result = await Nexa(args);
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public async Task Version_names_the_llama_cpp_commit()
    {
        var result = await Nexa("version");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("815a2a59", result.Out);
        Assert.Contains("LLamaSharp 0.30.0", result.Out);
    }
}
