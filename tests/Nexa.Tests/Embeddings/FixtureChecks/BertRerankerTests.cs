using LLama.Native;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Embeddings.FixtureChecks;

/// <summary>
/// llama.cpp's RANK pooling of the tiny reranker equals the reference's classification head over
/// [CLS] query [SEP] document [SEP]: the scores /v1/rerank is held to.
/// </summary>
/// <remarks>
/// Measured over 49 pairs and 6 seeds: without flash attention llama.cpp and the reference differ
/// by at most 4e-5 (an input to GELU's F16 table landing on the other side of a rounding
/// boundary); with it — llama.cpp's default "auto" on the CPU — by up to 8.5e-4, from its F16
/// arithmetic. An engine that must agree to 1e-3 turns flash attention off for reranking.
/// </remarks>
public sealed class BertRerankerTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private const float FlashAttentionTolerance = 2e-3f;

    private static readonly (string Query, string Document)[] Pairs =
    [
        ("What is the capital of France?", "Paris is the capital of France."),
        ("What is the capital of France?", "The quick brown fox jumps over the lazy dog."),
        ("cold weather today", "Rain and cold, then sun: the weather today."),
        ("música", "Café déjà vu, 42 times!"),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("nexa-bert-rerank-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, null)]
    [InlineData(2, null)]
    public void Scores_equal_the_reference_classification_head(int seed, bool? flashAttention)
    {
        var path = TinyBertModels.WriteReranker(Path.Combine(_directory, $"rerank-{seed}.gguf"), seed);
        using var weights = LlamaBert.Load(path);
        var reference = BertReference.Load(path);

        foreach (var (query, document) in Pairs)
        {
            var tokens = LlamaBert.TokenizePair(weights, query, document);
            var score = LlamaBert.Pool(weights, path, LLamaPoolingType.Rank, [tokens], flashAttention)[0][0];

            Assert.True(float.IsFinite(score));
            Assert.Equal(reference.Score(tokens), score, flashAttention == false ? Tolerance : FlashAttentionTolerance);
        }
    }

    [Fact]
    public void Different_documents_get_different_scores_and_the_same_pair_the_same_one()
    {
        var path = TinyBertModels.WriteReranker(Path.Combine(_directory, "rerank.gguf"));
        using var weights = LlamaBert.Load(path);
        var inputs = Pairs.Select(p => LlamaBert.TokenizePair(weights, p.Query, p.Document)).ToArray();

        var scores = inputs.Select(tokens => LlamaBert.Pool(weights, path, LLamaPoolingType.Rank, [tokens])[0][0]).ToArray();
        var again = LlamaBert.Pool(weights, path, LLamaPoolingType.Rank, [inputs[0]])[0][0];

        Assert.Equal(scores.Length, scores.Distinct().Count());
        Assert.Equal(scores[0], again);
    }

    [Fact]
    public void Pairs_in_one_batch_score_like_each_alone()
    {
        var path = TinyBertModels.WriteReranker(Path.Combine(_directory, "rerank.gguf"), seed: 3);
        using var weights = LlamaBert.Load(path);
        var reference = BertReference.Load(path);
        var inputs = Pairs.Select(p => LlamaBert.TokenizePair(weights, p.Query, p.Document)).ToArray();

        var scores = LlamaBert.Pool(weights, path, LLamaPoolingType.Rank, inputs, flashAttention: false).Select(v => v[0]).ToArray();

        for (var i = 0; i < inputs.Length; i++)
        {
            var alone = LlamaBert.Pool(weights, path, LLamaPoolingType.Rank, [inputs[i]], flashAttention: false)[0][0];
            Assert.Equal(alone, scores[i], 1e-5f);
            Assert.Equal(reference.Score(inputs[i]), scores[i], Tolerance);
        }
    }
}
