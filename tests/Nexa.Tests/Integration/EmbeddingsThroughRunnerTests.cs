using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nexa.Hub;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;
using OpenAI;
using OpenAI.Embeddings;
using System.ClientModel;

namespace Nexa.Tests.Integration;

/// <summary>
/// The real server, real runners and real llama.cpp on the tiny BERT embedder and reranker, held to a reference
/// forward pass in plain C# (<see cref="BertReference"/>) and a reference WordPiece tokenizer.
/// </summary>
public sealed class EmbeddingServerFixture : IAsyncLifetime
{
    public const string Embedder = "tiny/bert";
    public const string Reranker = "tiny/rerank";

    private readonly TempDir _dir = new();

    public NexaServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public BertReference EmbedderReference { get; private set; } = null!;
    public BertReference RerankerReference { get; private set; } = null!;
    public WordPieceReference Tokenizer { get; } = new(TinyBertModels.Vocabulary);

    public async Task InitializeAsync()
    {
        var store = new ModelStore(_dir["data"]);
        var embedder = TinyBertModels.WriteEmbeddingModel(_dir["bert-F32.gguf"], contextLength: 64);
        var reranker = TinyBertModels.WriteReranker(_dir["rerank-F32.gguf"]);
        var importer = new LocalImporter(store, NullPullProgress.Instance);
        await importer.ImportAsync(ModelName.Parse(Embedder), embedder, null, CancellationToken.None);
        await importer.ImportAsync(ModelName.Parse(Reranker), reranker, null, CancellationToken.None);
        EmbedderReference = BertReference.Load(embedder);
        RerankerReference = BertReference.Load(reranker);
        Server = await NexaServer.StartAsync(new ServerOptions { DataDir = store.DataDir, Host = "127.0.0.1:0", Threads = 1, ContextSize = 512 },
            new RunnerLauncher(), CancellationToken.None);
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _dir.Dispose();
    }

    public async Task<JsonElement> PostAsync(string route, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.PostAsJsonAsync(route, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

public sealed class EmbeddingsThroughRunnerTests(EmbeddingServerFixture fixture) : IClassFixture<EmbeddingServerFixture>
{
    private static readonly string[] Sentences = ["Hello, world!", "Café déjà vu", "the cats are playing", "xylophone zq 42"];

    private static float[] Vector(JsonElement item) => [.. item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    [Fact]
    public async Task Vectors_equal_the_reference_forward_pass()
    {
        var reply = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = Sentences });

        var data = reply.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(Sentences.Length, data.Count);
        for (var i = 0; i < Sentences.Length; i++)
        {
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            var expected = fixture.EmbedderReference.Embed(fixture.Tokenizer.Encode(Sentences[i]));
            var actual = Vector(data[i]);
            Assert.Equal(expected.Length, actual.Length);
            Assert.True(BertReference.Cosine(expected, actual) >= 0.999, $"input {i}: cosine {BertReference.Cosine(expected, actual)}");
            Assert.InRange(Math.Sqrt(actual.Sum(x => (double)x * x)), 0.999, 1.001);
        }
        var tokens = Sentences.Sum(s => fixture.Tokenizer.Encode(s).Length);
        Assert.Equal(tokens, reply.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task The_servers_wordpiece_tokens_equal_the_reference_tokenizers()
    {
        // Token ids from the reference tokenizer give the very vector the text gives: the server tokenized alike.
        foreach (var sentence in Sentences)
        {
            var byText = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = sentence });
            var byTokens = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = fixture.Tokenizer.Encode(sentence) });
            var a = Vector(byText.GetProperty("data")[0]);
            var b = Vector(byTokens.GetProperty("data")[0]);
            Assert.True(a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-6), sentence);
            Assert.Equal(fixture.Tokenizer.Encode(sentence).Length, byText.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task A_batch_gives_the_same_vectors_as_one_by_one_and_base64_decodes_to_them()
    {
        var batch = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = Sentences });
        var encoded = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = Sentences, encoding_format = "base64" });
        for (var i = 0; i < Sentences.Length; i++)
        {
            var single = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = Sentences[i] });
            var one = Vector(single.GetProperty("data")[0]);
            var inBatch = Vector(batch.GetProperty("data")[i]);
            Assert.True(one.Zip(inBatch).All(p => Math.Abs(p.First - p.Second) <= 1e-4), $"input {i}");
            var bytes = Convert.FromBase64String(encoded.GetProperty("data")[i].GetProperty("embedding").GetString()!);
            var decoded = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);
            Assert.Equal(inBatch, decoded);
        }
    }

    [Fact]
    public async Task Dimensions_cut_and_renormalise()
    {
        var reply = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = "the cat", dimensions = 8 });
        var vector = Vector(reply.GetProperty("data")[0]);
        Assert.Equal(8, vector.Length);
        Assert.InRange(Math.Sqrt(vector.Sum(x => (double)x * x)), 0.999, 1.001);
    }

    [Fact]
    public async Task Bad_inputs_answer_4xx_and_the_server_keeps_serving()
    {
        var tooLong = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = new[] { "ok", TinyBertModels.TextWithTokenCount(65) } }, HttpStatusCode.BadRequest);
        Assert.Contains("input", tooLong.GetProperty("error").GetProperty("param").GetString());
        await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = Enumerable.Repeat("x", 10_000).ToArray() }, HttpStatusCode.BadRequest);
        await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Reranker, input = "x" }, HttpStatusCode.BadRequest);
        await fixture.PostAsync("v1/chat/completions", new { model = EmbeddingServerFixture.Embedder, messages = new[] { new { role = "user", content = "hi" } } }, HttpStatusCode.BadRequest);
        await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = new object[] { "a", 5.5 } }, HttpStatusCode.BadRequest);

        var ok = await fixture.PostAsync("v1/embeddings", new { model = EmbeddingServerFixture.Embedder, input = "still here" });
        Assert.Single(ok.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task The_openai_sdk_embedding_client_gets_the_same_vectors()
    {
        var client = new EmbeddingClient(EmbeddingServerFixture.Embedder, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "v1") });

        var result = await client.GenerateEmbeddingsAsync(Sentences);

        Assert.Equal(Sentences.Length, result.Value.Count);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var expected = fixture.EmbedderReference.Embed(fixture.Tokenizer.Encode(Sentences[i]));
            Assert.True(BertReference.Cosine(expected, result.Value[i].ToFloats().Span) >= 0.999);
        }
    }
}

public sealed class RerankThroughRunnerTests(EmbeddingServerFixture fixture) : IClassFixture<EmbeddingServerFixture>
{
    private const string Query = "which cat is playing";
    private static readonly string[] Documents = ["the cat is playing", "hello world", "café", "the dogs are sleeping"];

    [Fact]
    public async Task Scores_equal_the_reference_classification_head_in_input_order()
    {
        var reply = await fixture.PostAsync("v1/reranking", new { model = EmbeddingServerFixture.Reranker, query = Query, documents = Documents });

        var scores = reply.GetProperty("result").EnumerateArray().Select(s => s.GetSingle()).ToList();
        Assert.Equal(Documents.Length, scores.Count);
        for (var i = 0; i < Documents.Length; i++)
        {
            var expected = fixture.RerankerReference.Score(fixture.Tokenizer.EncodePair(Query, Documents[i]));
            Assert.True(Math.Abs(expected - scores[i]) <= 1e-3, $"document {i}: {scores[i]} vs reference {expected}");
        }
    }

    [Fact]
    public async Task Normalised_scores_sum_to_one_or_span_zero_to_one()
    {
        var softmax = await fixture.PostAsync("v1/reranking", new { model = EmbeddingServerFixture.Reranker, query = Query, documents = Documents, normalize = true, normalize_method = "softmax" });
        Assert.InRange(softmax.GetProperty("result").EnumerateArray().Sum(s => s.GetDouble()), 0.999, 1.001);
        var linear = (await fixture.PostAsync("v1/reranking", new { model = EmbeddingServerFixture.Reranker, query = Query, documents = Documents, normalize = true, normalize_method = "linear" }))
            .GetProperty("result").EnumerateArray().Select(s => s.GetDouble()).ToList();
        Assert.Equal(0, linear.Min(), 6);
        Assert.Equal(1, linear.Max(), 6);
    }

    [Fact]
    public async Task Rerank_in_the_jina_shape_is_sorted_and_cut_to_top_n()
    {
        var reply = await fixture.PostAsync("v1/rerank", new { model = EmbeddingServerFixture.Reranker, query = Query, documents = Documents, top_n = 2, return_documents = true });

        var results = reply.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.True(results[0].GetProperty("relevance_score").GetDouble() >= results[1].GetProperty("relevance_score").GetDouble());
        var best = results[0].GetProperty("index").GetInt32();
        Assert.Equal(Documents[best], results[0].GetProperty("document").GetProperty("text").GetString());
        var all = Documents.Select(d => fixture.RerankerReference.Score(fixture.Tokenizer.EncodePair(Query, d))).ToList();
        Assert.Equal(all.IndexOf(all.Max()), best);
    }

    [Fact]
    public async Task A_reranker_refuses_to_embed_and_an_embedder_to_rerank()
    {
        await fixture.PostAsync("v1/reranking", new { model = EmbeddingServerFixture.Embedder, query = Query, documents = Documents }, HttpStatusCode.BadRequest);
        await fixture.PostAsync("v1/rerank", new { model = EmbeddingServerFixture.Embedder, query = Query, documents = Documents }, HttpStatusCode.BadRequest);
    }
}
