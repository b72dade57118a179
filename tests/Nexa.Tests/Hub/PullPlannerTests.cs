using Nexa.Hub;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Pull;

namespace Nexa.Tests.Hub;

public class PullPlannerTests
{
    private static RepoSnapshot Repo(params string[] paths) =>
        new("org/m", "abc", [.. paths.Select((p, i) => new RepoFile(p, 1000 + i, new string('a', 64), null))]);

    [Theory]
    [InlineData("Qwen3-0.6B-Q8_0.gguf", "Q8_0")]
    [InlineData("qwen3-0.6b-q4_k_m.gguf", "Q4_K_M")]
    [InlineData("model.Q4_K_M.gguf", "Q4_K_M")]
    [InlineData("Llama-3.2-1B-Instruct-f16.gguf", "F16")]
    [InlineData("gpt-oss-20b-mxfp4.gguf", "MXFP4")]
    [InlineData("Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "Q4_K_XL")]
    [InlineData("Model-IQ4_XS.gguf", "IQ4_XS")]
    [InlineData("Model-BF16-00001-of-00002.gguf", "BF16")]
    [InlineData("ggml-model.gguf", "DEFAULT")]
    public void Reads_the_quant_from_the_file_name(string file, string quant) =>
        Assert.Equal(quant, QuantNames.FromFileName(file));

    [Fact]
    public void Takes_the_only_gguf()
    {
        var plan = PullPlanner.Plan(Repo("README.md", "m-Q8_0.gguf"), null, (_, _) => throw new InvalidOperationException("must not ask"));
        Assert.Equal("Q8_0", plan.Quant.Quant);
        Assert.False(plan.QuantWasDefaulted);
    }

    [Fact]
    public void Takes_the_named_quant_among_several()
    {
        var plan = PullPlanner.Plan(Repo("m-Q4_0.gguf", "m-Q8_0.gguf", "m-F16.gguf"), "Q8_0", (_, _) => throw new InvalidOperationException());
        Assert.Equal("m-Q8_0.gguf", plan.Quant.Main.Path);
    }

    [Fact]
    public void Lists_what_exists_when_the_named_quant_is_missing()
    {
        var e = Assert.Throws<HubException>(() => PullPlanner.Plan(Repo("m-Q4_0.gguf", "m-Q8_0.gguf"), "Q5_K_M", (_, _) => null));
        Assert.Contains("Q4_0, Q8_0", e.Message);
    }

    [Theory]
    [InlineData(new[] { "m-Q8_0.gguf", "m-Q4_K_M.gguf", "m-Q4_0.gguf" }, "Q4_0")]
    [InlineData(new[] { "m-Q8_0.gguf", "m-Q4_K_M.gguf", "m-F16.gguf" }, "Q4_K_M")]
    [InlineData(new[] { "m-Q8_0.gguf", "m-F16.gguf" }, "Q8_0")]
    public void Defaults_to_Q4_0_then_Q4_K_M_then_Q8_0(string[] files, string expected)
    {
        string? offered = null;
        var plan = PullPlanner.Plan(Repo(files), null, (_, fallback) => { offered = fallback; return null; });
        Assert.Equal(expected, plan.Quant.Quant);
        Assert.Equal(expected, offered);
        Assert.True(plan.QuantWasDefaulted);
    }

    [Fact]
    public void Pulls_all_shards_as_one_unit_first_shard_first()
    {
        var plan = PullPlanner.Plan(Repo("big-Q4_K_M-00002-of-00003.gguf", "big-Q4_K_M-00001-of-00003.gguf", "big-Q4_K_M-00003-of-00003.gguf", "big-Q8_0.gguf"), "Q4_K_M", (_, _) => null);
        Assert.Equal(["big-Q4_K_M-00001-of-00003.gguf", "big-Q4_K_M-00002-of-00003.gguf", "big-Q4_K_M-00003-of-00003.gguf"], plan.Quant.Files.Select(f => f.Path));
    }

    [Fact]
    public void Refuses_a_split_gguf_with_missing_shards()
    {
        var e = Assert.Throws<HubException>(() => PullPlanner.Plan(Repo("big-Q4_K_M-00001-of-00003.gguf", "big-Q4_K_M-00003-of-00003.gguf"), null, (_, _) => null));
        Assert.Contains("2 of its 3 shards", e.Message);
    }

    [Fact]
    public void Picks_the_largest_mmproj_and_small_config_files()
    {
        var snapshot = new RepoSnapshot("org/vlm", "abc",
        [
            new RepoFile("vlm-Q4_K_M.gguf", 5000, "s1", null),
            new RepoFile("mmproj-vlm-Q8_0.gguf", 300, "s2", null),
            new RepoFile("mmproj-vlm-F16.gguf", 600, "s3", null),
            new RepoFile("config.json", 10, null, "g1"),
            new RepoFile("tokenizer.json", 20, null, "g2"),
            new RepoFile("model.safetensors", 9000, "s4", null),
        ]);
        var plan = PullPlanner.Plan(snapshot, null, (_, _) => null);
        Assert.Equal("mmproj-vlm-F16.gguf", plan.MMProj!.Path);
        Assert.Equal("tokenizer.json", plan.Tokenizer!.Path);
        Assert.Equal(["config.json"], plan.Extras.Select(f => f.Path));
        Assert.DoesNotContain(plan.AllFiles, f => f.Path.EndsWith(".safetensors"));
    }

    [Theory]
    [InlineData(new[] { "model.safetensors", "config.json" }, "MLX")]
    [InlineData(new[] { "weights-1-1.nexa", "nexa.manifest" }, "NPU")]
    [InlineData(new[] { "model_index.json", "unet/model.onnx" }, "not supported yet")]
    [InlineData(new[] { "README.md" }, "no GGUF")]
    public void Refuses_repos_for_other_platforms_by_their_files(string[] files, string expected)
    {
        var e = Assert.Throws<HubException>(() => PullPlanner.Plan(Repo(files), null, (_, _) => null));
        Assert.Equal(HubErrorKind.Unsupported, e.Kind);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Judges_by_files_not_by_name_a_gguf_in_an_npu_named_repo_is_pulled()
    {
        var snapshot = new RepoSnapshot("NexaAI/Qwen3-4B-npu", "abc", [new RepoFile("Qwen3-4B-Q4_0.gguf", 10, "s", null)]);
        Assert.Equal("Q4_0", PullPlanner.Plan(snapshot, null, (_, _) => null).Quant.Quant);
    }
}
