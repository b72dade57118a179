using Nexa.Hub;
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
    public async Task Infer_refuses_flags_that_are_not_built_yet_and_bad_values()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var grammar = await Nexa("infer", "org/tiny", "-p", "x", "--enable-json");
        Assert.Equal(1, grammar.ExitCode);
        Assert.Contains("not supported yet", grammar.Error);

        var maxTokens = await Nexa("infer", "org/tiny", "-p", "x", "--max-tokens", "0");
        Assert.Equal(2, maxTokens.ExitCode);
    }
}
