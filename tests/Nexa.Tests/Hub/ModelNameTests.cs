using Nexa.Hub;

namespace Nexa.Tests.Hub;

public class ModelNameTests
{
    [Theory]
    [InlineData("NexaAI/Qwen3-0.6B-GGUF", "NexaAI", "Qwen3-0.6B-GGUF", null)]
    [InlineData("Qwen3-0.6B-GGUF", "NexaAI", "Qwen3-0.6B-GGUF", null)]
    [InlineData("https://huggingface.co/unsloth/Qwen3-0.6B-GGUF", "unsloth", "Qwen3-0.6B-GGUF", null)]
    [InlineData("https://huggingface.co/unsloth/Qwen3-0.6B-GGUF/", "unsloth", "Qwen3-0.6B-GGUF", null)]
    [InlineData("unsloth/Qwen3-0.6B-GGUF:q4_k_m", "unsloth", "Qwen3-0.6B-GGUF", "Q4_K_M")]
    [InlineData("  ggml-org/gemma-3-1b-it-GGUF:Q8_0 ", "ggml-org", "gemma-3-1b-it-GGUF", "Q8_0")]
    [InlineData("NexaAI/Qwen3-0.6B-GGUF:", "NexaAI", "Qwen3-0.6B-GGUF", null)]
    public void Normalises_names_as_the_original(string text, string org, string repo, string? quant)
    {
        var name = ModelName.Parse(text);
        Assert.Equal(new ModelName(org, repo, quant), name);
        Assert.Equal($"{org}/{repo}", name.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c")]
    [InlineData("../etc")]
    [InlineData("org/..")]
    [InlineData("org/.hidden")]
    [InlineData("org/re po")]
    [InlineData("org/repo:Q4 K")]
    [InlineData("/repo")]
    public void Rejects_names_that_are_not_org_repo(string text)
    {
        var e = Assert.Throws<HubException>(() => ModelName.Parse(text));
        Assert.Equal(HubErrorKind.InvalidName, e.Kind);
    }

    [Fact]
    public void Prints_with_quant_when_it_has_one()
    {
        Assert.Equal("NexaAI/x:Q8_0", ModelName.Parse("x:q8_0").ToString());
        Assert.Equal("NexaAI/x", ModelName.Parse("x").ToString());
    }
}
