using Nexa.Hub;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Pull;

namespace Nexa.Tests.Cli;

public class InferCommandTests : PullTestBase
{
    [Fact]
    public async Task Infer_pulls_a_missing_model_then_answers_through_llama_cpp()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var result = await Nexa("infer", "org/tiny", "-p", "Hello", "--max-tokens", "8", "--seed", "3", "--threads", "1", "--nctx", "512");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("org/tiny is not pulled yet; pulling it", result.Error);
        Assert.NotNull(Store.Find(ModelName.Parse("org/tiny")));
        Assert.Matches(@"— [\d.]+ tok/s • [1-8] tok • [\d.]+ s first token —", result.Error);
        Assert.NotEmpty(result.Out);
    }

    [Fact]
    public async Task Infer_with_the_same_seed_answers_the_same()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());
        string[] args = ["infer", "org/tiny", "-p", "Hello", "--max-tokens", "12", "--seed", "7", "--threads", "1", "--nctx", "512", "--temperature", "1"];

        var first = await Nexa(args);
        var second = await Nexa(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public async Task Infer_refuses_bad_values()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var maxTokens = await Nexa("infer", "org/tiny", "-p", "x", "--max-tokens", "0");
        Assert.Equal(2, maxTokens.ExitCode);
    }
}

public class InferEmbedderAndRerankerTests : PullTestBase
{
    [Fact]
    public async Task Infer_embeds_each_prompt_through_llama_cpp_with_unit_norm()
    {
        var file = TinyBertModels.WriteEmbeddingModel(Dir["bert-F32.gguf"]);
        Assert.Equal(0, (await Nexa("pull", "me/bert", "--local-path", file)).ExitCode);

        var result = await Nexa("infer", "me/bert", "-p", "Hello, world!", "-p", "the cat", "--threads", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(result.Out, @"dimensions: 32\s+norm: 1\.0000").Count);
    }

    [Fact]
    public async Task Infer_ranks_documents_with_a_reranker_best_first()
    {
        var file = TinyBertModels.WriteReranker(Dir["rerank-F32.gguf"]);
        Assert.Equal(0, (await Nexa("pull", "me/rerank", "--local-path", file)).ExitCode);
        Assert.Equal("reranker", Store.Find(ModelName.Parse("me/rerank"))!.Manifest.ModelType);

        var result = await Nexa("infer", "me/rerank", "-q", "which cat", "-d", "the cat is playing", "-d", "hello world", "--threads", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("RANK", result.Out);
        Assert.Contains("the cat is playing", result.Out);
        Assert.Contains("hello world", result.Out);
    }
}
