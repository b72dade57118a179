using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Embeddings;

public sealed class EmbeddingModelLoadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public EmbeddingModelLoadingTests() => NativeLog.EnsureConfigured();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_F16_token_types_table_is_refused_before_llama_cpp_sees_it()
    {
        // llama.cpp aborts the process on the first decode of such a file; the header check refuses it instead.
        var tensor = new GgufEdit.Tensor("token_types.weight", [TinyModels.DefaultEmbeddingLength, 2], GgmlType.F16,
            GgufWriter.EncodeF16(new float[TinyModels.DefaultEmbeddingLength * 2]));
        var path = TinyEmbeddingModel.Write(_dir, tensors: [tensor]);

        var error = await Assert.ThrowsAsync<EngineException>(() => LoadAsync(path, EmbeddingModelKind.Embedder));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("token_types.weight", error.Message);
    }

    [Fact]
    public async Task A_rank_pooling_file_is_refused_as_an_embedder()
    {
        var path = TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Rank);

        var error = await Assert.ThrowsAsync<EngineException>(() => LoadAsync(path, EmbeddingModelKind.Embedder));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
    }

    [Fact]
    public async Task A_model_without_a_classification_head_is_refused_as_a_reranker()
    {
        // Rank pooling without cls.* tensors is a GGML_ABORT inside llama.cpp's graph.
        var path = TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Rank);

        var error = await Assert.ThrowsAsync<EngineException>(() => LoadAsync(path, EmbeddingModelKind.Reranker));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("classification head", error.Message);
    }

    [Fact]
    public async Task A_missing_file_or_one_that_is_not_gguf_fails_to_load()
    {
        await File.WriteAllTextAsync(_dir["junk.gguf"], "not a model");

        var missing = await Assert.ThrowsAsync<EngineException>(() => LoadAsync(_dir["nope.gguf"], EmbeddingModelKind.Embedder));
        var junk = await Assert.ThrowsAsync<EngineException>(() => LoadAsync(_dir["junk.gguf"], EmbeddingModelKind.Embedder));

        Assert.Equal(EngineErrorKind.LoadFailed, missing.Kind);
        Assert.Equal(EngineErrorKind.LoadFailed, junk.Kind);
    }

    [Theory]
    [InlineData(512, 512)]
    [InlineData(500, 496)]
    [InlineData(100_000, TinyModels.ContextLength)]
    public async Task One_input_holds_the_context_capped_at_training_and_rounded_to_16(int contextSize, int maxInputTokens)
    {
        var path = TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Mean);

        await using var model = await LoadAsync(path, EmbeddingModelKind.Embedder, contextSize);
        var result = await model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromTokens([.. Enumerable.Repeat(TinyModels.FirstByteId + 'a', maxInputTokens)])] },
            CancellationToken.None);

        Assert.Equal(maxInputTokens, model.Embedding.MaxInputTokens);
        Assert.Equal(maxInputTokens, result.PromptTokens);
    }

    [Theory]
    [InlineData(512, 16)]
    [InlineData(496, 16)]
    [InlineData(24, 8)]
    [InlineData(20, 4)]
    [InlineData(17, 1)]
    public void Sequences_per_decode_divide_the_micro_batch(int microBatch, int sequences) =>
        Assert.Equal(sequences, EmbeddingModel.SequencesPerBatch(microBatch));

    [Fact]
    public async Task Task_prefixes_in_the_metadata_go_before_the_text()
    {
        var path = TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Mean, metadata:
        [
            ("sentence_transformers.prompts.query", GgufValueType.String, "search_query: "),
            ("sentence_transformers.prompts.document", GgufValueType.String, "search_document: "),
        ]);
        await using var model = await LoadAsync(path, EmbeddingModelKind.Embedder);

        Assert.Equal(model.InputTokens("search_query: the cat"), model.InputTokens("the cat", EmbeddingTask.SearchQuery));
        Assert.Equal(model.InputTokens("search_document: the cat"), model.InputTokens("the cat", EmbeddingTask.SearchDocument));
        var query = await model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("the cat")], Task = EmbeddingTask.SearchQuery }, CancellationToken.None);
        var spelled = await model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("search_query: the cat")] }, CancellationToken.None);
        Assert.Equal(spelled.Vectors[0], query.Vectors[0]);
    }

    [Fact]
    public async Task Without_prefixes_in_the_metadata_a_task_changes_nothing()
    {
        await using var model = await LoadAsync(TinyEmbeddingModel.Write(_dir), EmbeddingModelKind.Embedder);

        Assert.Equal(model.InputTokens("the cat"), model.InputTokens("the cat", EmbeddingTask.SearchQuery));
        Assert.Equal(model.InputTokens("the cat"), model.InputTokens("the cat", EmbeddingTask.SearchDocument));
    }

    [Fact]
    public async Task Mean_and_last_pooling_give_different_vectors()
    {
        await using var last = await LoadAsync(TinyEmbeddingModel.Write(_dir, name: "last.gguf"), EmbeddingModelKind.Embedder);
        await using var mean = await LoadAsync(TinyEmbeddingModel.Write(_dir, EmbeddingPooling.Mean, name: "mean.gguf"), EmbeddingModelKind.Embedder);
        var request = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("pooling matters")] };

        var a = (await last.EmbedAsync(request, CancellationToken.None)).Vectors[0];
        var b = (await mean.EmbedAsync(request, CancellationToken.None)).Vectors[0];

        Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() > 1e-3);
    }

    [Fact]
    public async Task Requests_after_unloading_fail_and_unloading_twice_is_harmless()
    {
        var model = await LoadAsync(TinyEmbeddingModel.Write(_dir), EmbeddingModelKind.Embedder);

        await model.DisposeAsync();
        await model.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")] }, CancellationToken.None));
    }

    private static Task<EmbeddingModel> LoadAsync(string path, EmbeddingModelKind kind, int contextSize = 512) =>
        EmbeddingModel.LoadAsync(path, new EngineOptions { ContextSize = contextSize, Threads = 1 }, kind, CancellationToken.None);
}
