using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.Tests.Engine;
using Nexa.Tests.Engine.Embeddings;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Runner;

/// <summary>A real runner process with llama.cpp serving the tiny llama model as an embedder, next to the same model in-process.</summary>
public sealed class RunnerEmbedTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly EngineOptions Options = TinyEmbeddingModel.Options;

    private readonly TempDir _dir = new();
    private readonly RunnerLauncher _launcher = new(new RunnerLauncherOptions { LoadTimeout = Bound });
    private readonly List<IAsyncDisposable> _owned = [];
    private string _path = "";

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        _path = TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Mean);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
            await owned.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Vectors_from_a_runner_equal_the_in_process_engine_bit_for_bit()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);
        var local = await LoadLocalAsync();
        var request = new EmbeddingRequest
        {
            Inputs = [EmbeddingInput.FromText("hello world"), EmbeddingInput.FromText("Grüße 你好 ✓"), EmbeddingInput.FromTokens([1, 80, 81, 82])],
            Dimensions = 48,
        };

        var remote = await runner.EmbedAsync(request, CancellationToken.None).WaitAsync(Bound);
        var expected = await local.EmbedAsync(request, CancellationToken.None);

        Assert.Equal(local.Info.Embedding, runner.Info.Embedding);
        Assert.Equal(expected.PromptTokens, remote.PromptTokens);
        Assert.Equal(expected.Vectors.Count, remote.Vectors.Count);
        for (var i = 0; i < expected.Vectors.Count; i++)
            Assert.Equal(expected.Vectors[i], remote.Vectors[i]);
    }

    [Fact]
    public async Task Engine_errors_come_back_as_the_engine_threw_them()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);
        var local = await LoadLocalAsync();
        var tooLong = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("ok"), EmbeddingInput.FromText(string.Concat(Enumerable.Repeat("a ", 600)))] };
        var badToken = new EmbeddingRequest { Inputs = [EmbeddingInput.FromTokens([1, 99_999])] };
        var badDimensions = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")], Dimensions = 10_000 };

        foreach (var request in new[] { tooLong, badToken, badDimensions })
        {
            var expected = await Assert.ThrowsAsync<EngineException>(() => local.EmbedAsync(request, CancellationToken.None));
            var remote = await Assert.ThrowsAsync<EngineException>(() => runner.EmbedAsync(request, CancellationToken.None).WaitAsync(Bound));

            Assert.Equal(expected.Kind, remote.Kind);
            Assert.Equal(expected.Code, remote.Code);
            Assert.Equal(expected.Param, remote.Param);
            Assert.Equal(expected.Message, remote.Message);
        }

        Assert.Single((await runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("still serving")] }, CancellationToken.None)).Vectors);
    }

    [Fact]
    public async Task Chat_and_rerank_requests_to_an_embedder_runner_are_invalid_requests()
    {
        var runner = await LaunchAsync(ModelTypes.Embedder);

        var chat = await Assert.ThrowsAsync<EngineException>(async () =>
        {
            await foreach (var _ in runner.GenerateAsync(TinyTextModel.Ask("hi"), CancellationToken.None))
            {
            }
        });
        var rerank = await Assert.ThrowsAsync<EngineException>(() => runner.RerankAsync(new RerankRequest { Query = "q", Documents = ["d"] }, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, chat.Kind);
        Assert.Equal("model", chat.Param);
        Assert.Equal(EngineErrorKind.InvalidRequest, rerank.Kind);
        Assert.False(runner.HasExited);
    }

    [Fact]
    public async Task A_model_without_a_classification_head_started_as_a_reranker_fails_to_load_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => LaunchAsync(ModelTypes.Reranker));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("classification head", error.Message);
    }

    [Fact]
    public async Task Started_as_llm_the_runner_chats_and_refuses_to_embed()
    {
        var runner = await LaunchAsync(ModelTypes.Llm, TinyModels.WriteChatModel(_dir["chat.gguf"]));

        var generation = await Generation.RunAsync(runner, TinyTextModel.Ask("hi", maxTokens: 3)).WaitAsync(Bound);
        var embed = await Assert.ThrowsAsync<EngineException>(() => runner.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")] }, CancellationToken.None));

        Assert.True(generation.Finished.CompletionTokens > 0);
        Assert.Null(runner.Info.Embedding);
        Assert.Equal(EngineErrorKind.InvalidRequest, embed.Kind);
    }

    private async Task<RunnerClient> LaunchAsync(string modelType, string? path = null)
    {
        var model = await _launcher.LaunchAsync(new RunnerStartInfo(path ?? _path, Options) { ModelType = modelType }, CancellationToken.None).WaitAsync(Bound);
        _owned.Add(model);
        return Assert.IsType<RunnerClient>(model);
    }

    private async Task<EmbeddingModel> LoadLocalAsync()
    {
        var model = await EmbeddingModel.LoadAsync(_path, Options, EmbeddingModelKind.Embedder, CancellationToken.None);
        _owned.Add(model);
        return model;
    }
}
