using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Embeddings;

/// <summary>What an embedder returns, for each pooling a decoder can embed with (the same facts hold for both).</summary>
public abstract class EmbeddingVectorTests(TinyEmbeddingModel tiny)
{
    /// <summary>Same input, same batch around it: the numbers agree but for rounding.</summary>
    private const float Exact = 1e-5f;

    /// <summary>
    /// Same input, different company in its batch: flash attention (llama.cpp's CPU default) rounds differently
    /// with the batch's shape; measured up to 8e-4 per element on these models (1 - cosine below 3e-6). Mixing up
    /// sequences would be off by far more.
    /// </summary>
    private const float AcrossBatches = 2e-3f;

    protected EmbeddingModel Model => tiny.Model;

    protected abstract EmbeddingPooling ExpectedPooling { get; }

    [Fact]
    public void Info_tells_the_pooling_vector_length_and_input_limit()
    {
        var info = Model.Info.Embedding;

        Assert.NotNull(info);
        Assert.Equal(EmbeddingModelKind.Embedder, info.Kind);
        Assert.Equal(ExpectedPooling, info.Pooling);
        Assert.Equal(TinyModels.DefaultEmbeddingLength, info.Dimensions);
        Assert.Equal(TinyEmbeddingModel.Options.ContextSize, info.MaxInputTokens);
        Assert.False(Model.Info.HasChatTemplate);
        Assert.Equal("llama", Model.Info.Architecture);
    }

    [Fact]
    public async Task Vectors_have_the_model_length_and_unit_norm()
    {
        var result = await EmbedAsync("hello world", "the cat", "");

        Assert.Equal(3, result.Vectors.Count);
        foreach (var vector in result.Vectors)
        {
            Assert.Equal(TinyModels.DefaultEmbeddingLength, vector.Length);
            Assert.Equal(1.0, Norm(vector), 4);
        }
    }

    [Fact]
    public async Task Batched_vectors_equal_one_by_one_in_input_order()
    {
        string[] texts = ["alpha", "a longer sentence about the weather", "b", "the the the", "Grüße 你好"];

        var batched = await EmbedAsync(texts);
        var single = new List<float[]>();
        foreach (var text in texts)
            single.Add((await EmbedAsync(text)).Vectors[0]);

        for (var i = 0; i < texts.Length; i++)
            AssertClose(single[i], batched.Vectors[i], AcrossBatches);
    }

    [Fact]
    public async Task Same_text_gives_the_same_vector_and_different_texts_different_ones()
    {
        var result = await EmbedAsync("the weather today", "the weather today", "a recipe for bread");

        AssertClose(result.Vectors[0], result.Vectors[1], Exact);
        Assert.True(MaxDifference(result.Vectors[0], result.Vectors[2]) > 1e-2);
    }

    [Fact]
    public async Task Prompt_tokens_count_every_token_read()
    {
        string[] texts = ["hello", "a second input"];

        var result = await EmbedAsync(texts);

        Assert.Equal(texts.Sum(t => Model.InputTokens(t).Length), result.PromptTokens);
    }

    [Fact]
    public async Task Token_input_gives_the_vector_of_the_text_it_tokenizes_to()
    {
        var tokens = Model.InputTokens("hello there");
        Assert.Equal(TinyModels.BosId, tokens[0]);

        var result = await Model.EmbedAsync(new EmbeddingRequest
        {
            Inputs = [EmbeddingInput.FromText("hello there"), EmbeddingInput.FromTokens(tokens)],
        }, CancellationToken.None);

        AssertClose(result.Vectors[0], result.Vectors[1], Exact);
        Assert.Equal(2 * tokens.Length, result.PromptTokens);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(100_000)]
    public async Task Token_ids_outside_the_vocabulary_are_refused_naming_the_input(int id)
    {
        var request = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("fine"), EmbeddingInput.FromTokens([1, id])] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Model.EmbedAsync(request, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("input", error.Param);
        Assert.Contains("input[1]", error.Message);
    }

    [Fact]
    public async Task Empty_token_list_and_an_input_without_text_or_tokens_are_refused()
    {
        foreach (var input in new[] { EmbeddingInput.FromTokens([]), new EmbeddingInput(), new EmbeddingInput { Text = "a", Tokens = [1] } })
        {
            var error = await Assert.ThrowsAsync<EngineException>(() => Model.EmbedAsync(new EmbeddingRequest { Inputs = [input] }, CancellationToken.None));
            Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
            Assert.Equal("input", error.Param);
        }
    }

    [Fact]
    public async Task Input_longer_than_the_context_is_refused_naming_its_index()
    {
        var longText = string.Concat(Enumerable.Repeat("a ", 600));
        var request = new EmbeddingRequest { Inputs = [.. new[] { "one", "two", "three", longText }.Select(EmbeddingInput.FromText)] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Model.EmbedAsync(request, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("input", error.Param);
        Assert.Contains($"input[3] has {Model.InputTokens(longText).Length} tokens", error.Message);
        Assert.Contains($"{Model.Embedding.MaxInputTokens}", error.Message);
    }

    [Fact]
    public async Task Truncate_embeds_the_first_tokens_that_fit()
    {
        var longText = string.Concat(Enumerable.Repeat("a ", 600));
        var tokens = Model.InputTokens(longText);
        var max = Model.Embedding.MaxInputTokens;
        Assert.True(tokens.Length > max);

        var truncated = await Model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText(longText)], Truncate = true }, CancellationToken.None);
        var prefix = await Model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromTokens(tokens[..max])] }, CancellationToken.None);
        var tokenInput = await Model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromTokens(tokens)], Truncate = true }, CancellationToken.None);

        Assert.Equal(max, truncated.PromptTokens);
        AssertClose(prefix.Vectors[0], truncated.Vectors[0], Exact);
        AssertClose(prefix.Vectors[0], tokenInput.Vectors[0], Exact);
    }

    [Fact]
    public async Task Dimensions_keeps_the_first_ones_and_renormalises()
    {
        var full = (await EmbedAsync("matryoshka")).Vectors[0];

        var cut = await Model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("matryoshka")], Dimensions = 16 }, CancellationToken.None);

        var vector = Assert.Single(cut.Vectors);
        Assert.Equal(16, vector.Length);
        Assert.Equal(1.0, Norm(vector), 4);
        var norm = (float)Norm(full[..16]);
        AssertClose([.. full[..16].Select(v => v / norm)], vector, Exact);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(TinyModels.DefaultEmbeddingLength + 1)]
    public async Task Dimensions_outside_the_model_are_refused(int dimensions)
    {
        var request = new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")], Dimensions = dimensions };

        var error = await Assert.ThrowsAsync<EngineException>(() => Model.EmbedAsync(request, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("dimensions", error.Param);
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_vectors()
    {
        var requests = Enumerable.Range(0, 8).Select(r => Enumerable.Range(0, 5).Select(i => $"request {r} input {i} {new string('x', r + i)}").ToArray()).ToArray();
        var expected = new List<float[][]>();
        foreach (var texts in requests)
            expected.Add([.. (await EmbedAsync(texts)).Vectors]);

        var results = await Task.WhenAll(requests.Select(texts => Task.Run(() => EmbedAsync(texts))));

        for (var r = 0; r < requests.Length; r++)
        {
            Assert.Equal(requests[r].Length, results[r].Vectors.Count);
            for (var i = 0; i < requests[r].Length; i++)
                AssertClose(expected[r][i], results[r].Vectors[i], AcrossBatches);
        }
    }

    [Fact]
    public async Task Two_hundred_inputs_in_one_request_are_decoded_in_several_batches()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"input number {i}").ToArray();

        var result = await EmbedAsync(texts);

        Assert.Equal(200, result.Vectors.Count);
        foreach (var i in new[] { 0, 15, 16, 17, 99, 150, 199 })
            AssertClose((await EmbedAsync(texts[i])).Vectors[0], result.Vectors[i], AcrossBatches);
    }

    [Fact]
    public async Task An_empty_request_embeds_nothing()
    {
        var result = await Model.EmbedAsync(new EmbeddingRequest { Inputs = [] }, CancellationToken.None);

        Assert.Empty(result.Vectors);
        Assert.Equal(0, result.PromptTokens);
    }

    [Fact]
    public async Task A_cancelled_request_is_not_served()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Model.EmbedAsync(new EmbeddingRequest { Inputs = [EmbeddingInput.FromText("x")] }, cancelled.Token));
        Assert.Single((await EmbedAsync("still serving")).Vectors);
    }

    [Fact]
    public async Task Rerank_and_chat_are_refused_by_an_embedder()
    {
        var rerank = await Assert.ThrowsAsync<EngineException>(() => Model.RerankAsync(new RerankRequest { Query = "q", Documents = ["d"] }, CancellationToken.None));
        var chat = Assert.Throws<EngineException>(() => Model.GenerateAsync(TinyTextModel.Ask("hi"), CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidRequest, rerank.Kind);
        Assert.Equal(EngineErrorKind.InvalidRequest, chat.Kind);
        Assert.Equal("model", chat.Param);
    }

    protected Task<EmbeddingResult> EmbedAsync(params string[] texts) =>
        Model.EmbedAsync(new EmbeddingRequest { Inputs = [.. texts.Select(EmbeddingInput.FromText)] }, CancellationToken.None);

    private static double Norm(float[] vector) => Math.Sqrt(vector.Sum(v => (double)v * v));

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var difference = MaxDifference(expected, actual);
        Assert.True(difference <= tolerance, $"vectors differ by {difference}");
    }
}

public sealed class LastPoolingEmbeddingTests(TinyLastPoolingEmbedder tiny) : EmbeddingVectorTests(tiny), IClassFixture<TinyLastPoolingEmbedder>
{
    protected override EmbeddingPooling ExpectedPooling => EmbeddingPooling.Last;
}

public sealed class MeanPoolingEmbeddingTests(TinyMeanPoolingEmbedder tiny) : EmbeddingVectorTests(tiny), IClassFixture<TinyMeanPoolingEmbedder>
{
    protected override EmbeddingPooling ExpectedPooling => EmbeddingPooling.Mean;
}
