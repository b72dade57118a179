using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.FakeRunner;

namespace Nexa.Tests.Runner;

/// <summary>The fake engine started as an embedder or a reranker (tests/Nexa.FakeRunner with <c>--model-type …</c>), for server tests that need no llama.cpp.</summary>
public sealed class RunnerFakeEmbedTests : RunnerTestBase, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _runners = [];

    [Fact]
    public async Task Fake_embedder_gives_the_same_unit_vectors_for_the_same_inputs_in_any_runner()
    {
        var first = await LaunchAsync(ModelTypes.Embedder);
        var second = await LaunchAsync(ModelTypes.Embedder);
        var request = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("hello world"), EmbeddingInput.FromText("other text"), EmbeddingInput.FromTokens([5, 6])] };

        var a = await first.EmbedAsync(request, CancellationToken.None).WaitAsync(Bound);
        var b = await second.EmbedAsync(request, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(EmbeddingModelKind.Embedder, first.Info.Embedding?.Kind);
        Assert.Equal(a.Vectors, b.Vectors);
        Assert.All(a.Vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5));
        Assert.NotEqual(a.Vectors[0], a.Vectors[1]);
        Assert.Equal(6, a.PromptTokens);
        var cut = await first.EmbedAsync(request with { Dimensions = 3 }, CancellationToken.None);
        Assert.All(cut.Vectors, v => Assert.Equal(3, v.Length));
    }

    [Fact]
    public async Task Fake_reranker_scores_documents_by_the_query_words_they_contain()
    {
        var runner = await LaunchAsync(ModelTypes.Reranker);

        var result = await runner.RerankAsync(new RerankRequest { Query = "red apple pie", Documents = ["an apple", "Red apple, pie", "nothing here"] }, CancellationToken.None)
            .WaitAsync(Bound);

        Assert.Equal(EmbeddingModelKind.Reranker, runner.Info.Embedding?.Kind);
        Assert.Equal([1f, 2f, 0f], result.Scores);
    }

    [Fact]
    public async Task Fake_embedder_refuses_chat_and_rerank_and_its_errors_come_back()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);

        var chat = await Assert.ThrowsAsync<EngineException>(() => CollectAsync(runner, Ask("hi")).WaitAsync(Bound));
        var rerank = await Assert.ThrowsAsync<EngineException>(() => runner.RerankAsync(new RerankRequest { Query = "q", Documents = ["d"] }, CancellationToken.None));
        var error = await Assert.ThrowsAsync<EngineException>(() => runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText(FakeChatModel.Magic.Error)] }, CancellationToken.None));
        var bug = await Assert.ThrowsAsync<EngineException>(() => runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText(FakeChatModel.Magic.Bug)] }, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, chat.Kind);
        Assert.Equal(EngineErrorKind.InvalidRequest, rerank.Kind);
        Assert.Equal(("context_length_exceeded", "input"), (error.Code, error.Param));
        Assert.Equal(EngineErrorKind.Internal, bug.Kind);
        Assert.False(runner.HasExited);
    }

    [Fact]
    public async Task A_runner_that_dies_during_an_embedding_fails_it_as_crashed()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);

        var crash = await Assert.ThrowsAsync<EngineException>(() =>
            runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText(FakeChatModel.Magic.Crash)] }, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.Crashed, crash.Kind);
        await runner.Exited.WaitAsync(Bound);
        var after = await Assert.ThrowsAsync<EngineException>(() => runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")] }, CancellationToken.None));
        Assert.Equal(EngineErrorKind.Crashed, after.Kind);
    }

    [Fact]
    public async Task Cancelling_an_embedding_ends_the_call_and_the_runner_keeps_serving()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText(FakeChatModel.Magic.Slow)] }, cancel.Token).WaitAsync(Bound));

        Assert.Single((await runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")] }, CancellationToken.None)).Vectors);
    }

    private async Task<RunnerClient> LaunchAsync(string modelType)
    {
        var start = new RunnerStartInfo(ModelPath, new EngineOptions { ContextSize = 1024 }) { ModelType = modelType };
        var model = await Launcher.LaunchAsync(start, CancellationToken.None).WaitAsync(Bound);
        _runners.Add(model);
        return Assert.IsType<RunnerClient>(model);
    }

    public new async Task DisposeAsync()
    {
        foreach (var runner in _runners)
            await runner.DisposeAsync();
        await base.DisposeAsync();
    }
}
