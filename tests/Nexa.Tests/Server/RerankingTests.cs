using System.Net;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>The original's <c>POST /v1/reranking</c>: its body, scores in document order, normalised as asked.</summary>
public sealed class RerankingTests : IAsyncLifetime
{
    private const string Query = "What is machine learning?";

    private static readonly string[] SeedDocuments =
    [
        "Machine learning is a subset of artificial intelligence.",
        "Machine learning algorithms learn patterns from data.",
        "The weather is sunny today.",
        "Deep learning is a type of machine learning.",
    ];

    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string json) => _server.PostAsync("/v1/reranking", json);

    private static float[] Raw => [.. SeedDocuments.Select(d => FakeChatModel.Score(Query, d))];

    private static string Body(string extra = "", string model = "test/rerank") =>
        $$"""{"model":"{{model}}","query":"{{Query}}","documents":{{JsonSerializer.Serialize(SeedDocuments)}}{{extra}}}""";

    private static async Task<float[]> ResultAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(["result"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        return [.. doc.RootElement.GetProperty("result").EnumerateArray().Select(x => x.GetSingle())];
    }

    [Fact]
    public async Task The_seeds_request_works_as_written_with_softmax_scores_in_document_order()
    {
        using var response = await PostAsync("""
            {
              "model": "NexaAI/jina-v2-rerank-npu",
              "query": "What is machine learning?",
              "documents": [
                "Machine learning is a subset of artificial intelligence.",
                "Machine learning algorithms learn patterns from data.",
                "The weather is sunny today.",
                "Deep learning is a type of machine learning."
              ],
              "batch_size": 4,
              "normalize": true,
              "normalize_method": "softmax"
            }
            """);

        var scores = await ResultAsync(response);
        Assert.Equal(4, scores.Length);
        Assert.Equal(1.0, scores.Sum(s => (double)s), 5);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        // Same order as the raw scores: document 3 best, the weather worst.
        Assert.Equal(Order(Raw), Order(scores));
        var request = Assert.Single(_server.Launcher.ModelsOf(ServerHarness.SeedReranker).Single().RerankRequests);
        Assert.Equal(4, request.BatchSize);
        Assert.Equal(Query, request.Query);
        Assert.Equal(SeedDocuments, request.Documents);
    }

    [Fact]
    public async Task The_seeds_curl_body_works_too()
    {
        using var response = await PostAsync("{\"model\":\"NexaAI/jina-v2-rerank-npu\",\"query\":\"What is machine learning?\",\"documents\":[\"Machine learning is a subset of artificial intelligence.\",\"Machine learning algorithms learn patterns from data.\",\"The weather is sunny today.\",\"Deep learning is a type of machine learning.\"],\"batch_size\":4,\"normalize\":true,\"normalize_method\":\"softmax\"}");

        Assert.Equal(4, (await ResultAsync(response)).Length);
    }

    [Fact]
    public async Task Softmax_is_exp_over_the_sum_of_exps()
    {
        using var response = await PostAsync(Body(""","normalize":true,"normalize_method":"softmax" """));

        var scores = await ResultAsync(response);
        var exps = Raw.Select(r => Math.Exp(r)).ToArray();
        for (var i = 0; i < scores.Length; i++)
            Assert.Equal(exps[i] / exps.Sum(), scores[i], 5);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("min-max")]
    public async Task Linear_maps_the_worst_to_0_and_the_best_to_1(string method)
    {
        using var response = await PostAsync(Body($$""","normalize":true,"normalize_method":"{{method}}" """));

        var scores = await ResultAsync(response);
        Assert.Equal(0f, scores.Min());
        Assert.Equal(1f, scores.Max());
        var raw = Raw;
        for (var i = 0; i < scores.Length; i++)
            Assert.Equal((raw[i] - raw.Min()) / (raw.Max() - raw.Min()), scores[i], 5);
    }

    [Fact]
    public async Task Linear_with_equal_scores_gives_every_document_1()
    {
        using var response = await PostAsync("""{"model":"test/rerank","query":"q","documents":["same","same","same"],"normalize":true,"normalize_method":"linear"}""");

        var scores = await ResultAsync(response);
        Assert.Equal([1f, 1f, 1f], scores);
    }

    [Theory]
    [InlineData("")]
    [InlineData(""","normalize":false""")]
    [InlineData(""","normalize":false,"normalize_method":"softmax" """)]
    [InlineData(""","normalize":true,"normalize_method":"none" """)]
    public async Task Without_normalize_the_scores_are_the_models_raw_scores(string extra)
    {
        using var response = await PostAsync(Body(extra));

        // Logits, not probabilities: the weather document scores below 0.
        var scores = await ResultAsync(response);
        Assert.Equal(Raw, scores);
    }

    [Fact]
    public async Task Normalize_alone_means_softmax()
    {
        using var response = await PostAsync(Body(""","normalize":true"""));

        Assert.Equal(1.0, (await ResultAsync(response)).Sum(s => (double)s), 5);
    }

    [Theory]
    [InlineData(""","batch_size":0""", null)]
    [InlineData(""","batch_size":2""", 2)]
    [InlineData("", null)]
    public async Task Batch_size_reaches_the_engine_and_0_means_not_set(string extra, int? expected)
    {
        using var response = await PostAsync(Body(extra));

        await ResultAsync(response);
        Assert.Equal(expected, _server.Launcher.Models.Single().RerankRequests.Single().BatchSize);
    }

    [Fact]
    public async Task Documents_may_be_text_objects()
    {
        using var response = await PostAsync("""{"model":"test/rerank","query":"machine","documents":[{"text":"machine"},"other"]}""");

        var scores = await ResultAsync(response);
        Assert.Equal([FakeChatModel.Score("machine", "machine"), FakeChatModel.Score("machine", "other")], scores);
    }

    [Fact]
    public async Task A_request_loads_a_reranker_once_and_tells_the_launcher_its_type()
    {
        await ResultAsync(await PostAsync(Body()));
        await ResultAsync(await PostAsync(Body()));

        var model = Assert.Single(_server.Launcher.Models);
        Assert.Equal("reranker", model.Start.ModelType);
    }

    private static int[] Order(float[] scores) => [.. scores.Select((s, i) => (s, i)).OrderByDescending(x => x.s).Select(x => x.i)];
}
