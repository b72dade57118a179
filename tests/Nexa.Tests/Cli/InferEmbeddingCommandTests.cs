using Nexa.Hub.Store;
using Nexa.Tests.Pull;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Cli;

/// <summary>`nexa infer` picks its mode from the model's type and refuses flags that do not fit it, before loading anything.</summary>
public class InferEmbeddingCommandTests : PullTestBase
{
    private void Add(string id, string type) => ServerHarness.AddModel(Store, id, type, ("Q8_0", true));

    [Theory]
    [InlineData(ModelTypes.Embedder, new[] { "-q", "query" }, "-p")]
    [InlineData(ModelTypes.Embedder, new[] { "-d", "doc" }, "-p")]
    [InlineData(ModelTypes.Reranker, new[] { "-p", "text" }, "-q")]
    [InlineData(ModelTypes.Reranker, new[] { "-q", "query", "--task-type", "search_query", "-d", "x" }, "-q")]
    [InlineData(ModelTypes.Reranker, new[] { "-q", "query" }, "-d")]
    [InlineData(ModelTypes.Reranker, new[] { "-d", "doc" }, "-q")]
    [InlineData(ModelTypes.Llm, new[] { "-q", "query", "-p", "hi" }, "rerankers")]
    [InlineData(ModelTypes.Llm, new[] { "--task-type", "search_query", "-p", "hi" }, "embedders")]
    public async Task Flags_that_do_not_fit_the_models_type_are_a_usage_error(string type, string[] flags, string hint)
    {
        Add("org/model", type);

        var result = await Nexa(["infer", "org/model", .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(hint, result.Error);
        Assert.DoesNotContain("loading", result.Error);
    }

    [Fact]
    public async Task A_task_type_outside_the_three_is_a_parse_error()
    {
        Add("org/embed", ModelTypes.Embedder);

        var result = await Nexa("infer", "org/embed", "-p", "x", "--task-type", "classification");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("classification", result.Error);
    }

    [Fact]
    public async Task A_model_type_nexa_infer_does_not_run_yet_says_so()
    {
        Add("org/draw", ModelTypes.Asr);

        var result = await Nexa("infer", "org/draw", "-p", "a cat");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not supported yet", result.Error);
    }
}
