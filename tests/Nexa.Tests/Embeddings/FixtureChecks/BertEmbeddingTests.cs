using LLama.Native;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Embeddings.FixtureChecks;

/// <summary>
/// llama.cpp's pooled embeddings of the tiny BERT equal the plain C# reference forward pass: the
/// numbers the engine's /v1/embeddings answers are held to.
/// </summary>
/// <remarks>
/// Measured over 49 inputs and 6 seeds (normalised vectors, largest element difference): at most
/// 2.4e-5 without flash attention, 3.4e-4 with it (llama.cpp's default on the CPU), a cosine above
/// 0.9999998 either way.
/// </remarks>
public sealed class BertEmbeddingTests : IDisposable
{
    private const double MinCosine = 0.999;

    private static readonly string[] Sentences =
    [
        "Hello, world!",
        "Café déjà vu",
        "The quick brown fox jumps over the lazy dog.",
        "There are 42 cats on the mat, and xylophone#zq is unknown.",
    ];

    private static readonly WordPieceReference Tokenizer = new(TinyBertModels.Vocabulary);
    private readonly string _directory = Directory.CreateTempSubdirectory("nexa-bert-embed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(TinyBertModels.MeanPooling)]
    [InlineData(TinyBertModels.ClsPooling)]
    public void Pooled_vectors_equal_the_reference_forward_pass(int pooling)
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf"), pooling: pooling);
        using var weights = LlamaBert.Load(path);
        var reference = BertReference.Load(path);

        foreach (var sentence in Sentences)
        {
            var tokens = LlamaBert.Tokenize(weights, sentence);
            var vector = LlamaBert.Pool(weights, path, (LLamaPoolingType)pooling, [tokens])[0];

            Assert.Equal(32, vector.Length);
            AssertClose(reference.Embed(tokens), vector, sentence);
        }
    }

    [Fact]
    public void Mean_and_CLS_pooling_of_one_model_give_different_vectors()
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf"));
        using var weights = LlamaBert.Load(path);
        var tokens = Tokenizer.Encode(Sentences[2]);

        var mean = BertReference.Normalize(LlamaBert.Pool(weights, path, LLamaPoolingType.Mean, [tokens])[0]);
        var cls = BertReference.Normalize(LlamaBert.Pool(weights, path, LLamaPoolingType.CLS, [tokens])[0]);

        Assert.True(BertReference.Cosine(mean, cls) < 0.99, "mean and CLS pooling should not coincide");
        AssertClose(BertReference.Load(path).Embed(tokens, TinyBertModels.ClsPooling), cls, "CLS over a mean-pooling model");
    }

    [Fact]
    public void Unspecified_pooling_takes_the_models_own()
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "cls.gguf"), pooling: TinyBertModels.ClsPooling);
        using var weights = LlamaBert.Load(path);
        var tokens = Tokenizer.Encode(Sentences[0]);

        var vector = LlamaBert.Pool(weights, path, LLamaPoolingType.Unspecified, [tokens])[0];

        AssertClose(BertReference.Load(path).Embed(tokens), vector, "the file's CLS pooling");
    }

    [Theory]
    [InlineData(TinyBertModels.MeanPooling)]
    [InlineData(TinyBertModels.ClsPooling)]
    public void Sequences_of_different_lengths_in_one_batch_pool_like_each_alone(int pooling)
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf"), seed: 3);
        using var weights = LlamaBert.Load(path);
        var reference = BertReference.Load(path);
        var inputs = Sentences.Select(s => Tokenizer.Encode(s)).ToArray();

        var vectors = LlamaBert.Pool(weights, path, (LLamaPoolingType)pooling, inputs);

        Assert.Equal(inputs.Length, vectors.Length);
        for (var i = 0; i < inputs.Length; i++)
        {
            var alone = LlamaBert.Pool(weights, path, (LLamaPoolingType)pooling, [inputs[i]])[0];
            Assert.All(alone.Zip(vectors[i]), p => Assert.Equal(p.First, p.Second, 1e-5f));
            AssertClose(reference.Embed(inputs[i], pooling), vectors[i], Sentences[i]);
        }
    }

    [Fact]
    public void A_wider_deeper_model_and_an_input_that_fills_the_context_still_match()
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "wide.gguf"), seed: 5, hiddenSize: 64, layers: 3, heads: 4);
        using var weights = LlamaBert.Load(path);
        var tokens = LlamaBert.Tokenize(weights, string.Join(" ", Enumerable.Repeat("the cat sat on the mat", 85)));

        var vector = LlamaBert.Pool(weights, path, LLamaPoolingType.Mean, [tokens])[0];

        Assert.Equal((int)LlamaBert.ContextSize, tokens.Length);
        Assert.Equal(64, vector.Length);
        AssertClose(BertReference.Load(path).Embed(tokens), vector, "512 tokens");
    }

    [Theory]
    [InlineData(TinyBertModels.MeanPooling)]
    [InlineData(TinyBertModels.ClsPooling)]
    public void Without_flash_attention_every_element_matches_the_reference(int pooling)
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf"), pooling: pooling);
        using var weights = LlamaBert.Load(path);
        var reference = BertReference.Load(path);

        foreach (var sentence in Sentences)
        {
            var tokens = Tokenizer.Encode(sentence);
            var vector = BertReference.Normalize(LlamaBert.Pool(weights, path, (LLamaPoolingType)pooling, [tokens], flashAttention: false)[0]);

            var expected = reference.Embed(tokens);
            Assert.All(vector.Zip(expected), p => Assert.Equal(p.Second, p.First, 1e-4f));
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        var cosine = BertReference.Cosine(expected, BertReference.Normalize(actual));
        Assert.True(cosine >= MinCosine, $"{what}: cosine {cosine} with the reference");
    }
}
