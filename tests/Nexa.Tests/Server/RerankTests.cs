using System.Net;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary><c>POST /v1/rerank</c> in the Jina / Cohere shape llama-server answers: raw scores, highest first, <c>top_n</c>.</summary>
public sealed class RerankTests : IAsyncLifetime
{
    private const string Query = "What is machine learning?";

    private static readonly string[] Documents =
    [
        "Machine learning is a subset of artificial intelligence.",
        "Machine learning algorithms learn patterns from data.",
        "The weather is sunny today.",
        "Deep learning is a type of machine learning.",
    ];

    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Body(string extra = "") =>
        $$"""{"model":"test/rerank","query":"{{Query}}","documents":{{JsonSerializer.Serialize(Documents)}}{{extra}}}""";

    private async Task<JsonElement> PostAsync(string json)
    {
        using var response = await _server.PostAsync("/v1/rerank", json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return await Wire.JsonAsync(response);
    }

    [Fact]
    public async Task Results_are_sorted_by_raw_relevance_with_their_document_index()
    {
        var body = await PostAsync(Body());

        Assert.Equal("test/rerank", body.Str("model"));
        Assert.Equal("list", body.Str("object"));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        var expected = Documents.Select((d, i) => (Index: i, Score: FakeChatModel.Score(Query, d))).OrderByDescending(x => x.Score).ToList();
        Assert.Equal(expected.Select(x => x.Index), results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(expected.Select(x => x.Score), results.Select(r => r.GetProperty("relevance_score").GetSingle()));
        Assert.Equal([3, 0, 1, 2], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Contains(results, r => r.GetProperty("relevance_score").GetSingle() < 0); // raw logits
        var usage = body.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Documents_are_left_out_unless_asked_for_as_llama_server_does()
    {
        var plain = await PostAsync(Body());
        var withDocuments = await PostAsync(Body(""","return_documents":true"""));

        Assert.All(plain.GetProperty("results").EnumerateArray(), r => Assert.False(r.TryGetProperty("document", out _)));
        foreach (var result in withDocuments.GetProperty("results").EnumerateArray())
            Assert.Equal(Documents[result.GetProperty("index").GetInt32()], result.GetProperty("document").Str("text"));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    [InlineData(10, 4)]
    [InlineData(0, 4)]
    public async Task Top_n_keeps_the_best_n(int topN, int expected)
    {
        var body = await PostAsync(Body($",\"top_n\":{topN}"));

        var indices = body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()).ToList();
        Assert.Equal(new[] { 3, 0, 1, 2 }.Take(expected), indices);
    }

    [Fact]
    public async Task Equal_scores_keep_the_documents_order()
    {
        var body = await PostAsync("""{"model":"test/rerank","query":"x","documents":["a","b","c"]}""");

        Assert.Equal([0, 1, 2], body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task Documents_may_be_text_objects_as_jina_sends_them()
    {
        var body = await PostAsync("""{"model":"test/rerank","query":"sunny weather","documents":[{"text":"rain"},{"text":"sunny weather today"}],"return_documents":true}""");

        var best = body.GetProperty("results")[0];
        Assert.Equal(1, best.GetProperty("index").GetInt32());
        Assert.Equal("sunny weather today", best.GetProperty("document").Str("text"));
        Assert.Equal(["rain", "sunny weather today"], _server.Launcher.Models.Single().RerankRequests.Single().Documents);
    }

    [Fact]
    public async Task The_original_route_and_this_one_score_alike()
    {
        using var original = await _server.PostAsync("/v1/reranking", Body());
        var raw = (await Wire.JsonAsync(original)).GetProperty("result").EnumerateArray().Select(x => x.GetSingle()).ToArray();

        var jina = await PostAsync(Body());

        foreach (var result in jina.GetProperty("results").EnumerateArray())
            Assert.Equal(raw[result.GetProperty("index").GetInt32()], result.GetProperty("relevance_score").GetSingle());
        Assert.Single(_server.Launcher.Models);
    }
}
