using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Nexa.Engine.Embeddings;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary><c>POST /v1/embeddings</c> as OpenAI clients and the seed's documentation use it.</summary>
public sealed class EmbeddingsTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string json) => _server.PostAsync("/v1/embeddings", json);

    [Fact]
    public async Task The_seeds_minimal_request_works_as_written()
    {
        using var response = await PostAsync("""
            {
              "model": "djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF",
              "input": "Hello, world!"
            }
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await Wire.JsonAsync(response);
        Assert.Equal("list", body.Str("object"));
        Assert.Equal(ServerHarness.SeedEmbedder, body.Str("model"));
        var item = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal("embedding", item.Str("object"));
        Assert.Equal(0, item.GetProperty("index").GetInt32());
        Assert.Equal(FakeChatModel.Embed("Hello, world!"), Floats(item.GetProperty("embedding")));
        var usage = body.GetProperty("usage");
        Assert.Equal(4, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task The_seeds_curl_body_without_whitespace_works_too()
    {
        using var response = await PostAsync("{\"model\":\"djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF\",\"input\":\"Hello, world!\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Wire.JsonAsync(response);
        Assert.Equal(FakeChatModel.EmbeddingSize, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task A_list_of_strings_gives_one_vector_each_in_input_order()
    {
        string[] inputs = ["first text", "second", "the third one here", "first text"];

        using var response = await PostAsync($$"""{"model":"test/embed","input":{{JsonSerializer.Serialize(inputs)}}}""");

        var body = await Wire.JsonAsync(response);
        var data = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], data.Select(d => d.GetProperty("index").GetInt32()));
        for (var i = 0; i < inputs.Length; i++)
            Assert.Equal(FakeChatModel.Embed(inputs[i]), Floats(data[i].GetProperty("embedding")));
        Assert.Equal(Floats(data[0].GetProperty("embedding")), Floats(data[3].GetProperty("embedding")));
        Assert.NotEqual(Floats(data[0].GetProperty("embedding")), Floats(data[1].GetProperty("embedding")));
        Assert.Equal((2 + 2) + (1 + 2) + (4 + 2) + (2 + 2), body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var request = Assert.Single(_server.Launcher.Models.Single().EmbeddingRequests);
        Assert.Equal(inputs, request.Inputs.Select(i => i.Text));
    }

    [Fact]
    public async Task Vectors_come_back_unit_length()
    {
        using var response = await PostAsync("""{"model":"test/embed","input":["a b c","d"]}""");

        var body = await Wire.JsonAsync(response);
        foreach (var item in body.GetProperty("data").EnumerateArray())
        {
            var v = Floats(item.GetProperty("embedding"));
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
        }
    }

    [Fact]
    public async Task Base64_is_little_endian_float32_bytes_of_the_same_vector()
    {
        using var asFloats = await PostAsync("""{"model":"test/embed","input":["one","two"],"encoding_format":"float"}""");
        using var asBase64 = await PostAsync("""{"model":"test/embed","input":["one","two"],"encoding_format":"base64"}""");

        var floats = (await Wire.JsonAsync(asFloats)).GetProperty("data").EnumerateArray().Select(d => Floats(d.GetProperty("embedding"))).ToList();
        var encoded = (await Wire.JsonAsync(asBase64)).GetProperty("data").EnumerateArray().Select(d => d.GetProperty("embedding")).ToList();
        Assert.All(encoded, e => Assert.Equal(JsonValueKind.String, e.ValueKind));
        Assert.Equal(floats, encoded.Select(e => Decode(e.GetString()!)));
    }

    [Fact]
    public async Task Dimensions_cut_the_vector_and_keep_it_unit_length()
    {
        using var response = await PostAsync("""{"model":"test/embed","input":"Hello","dimensions":8}""");

        var body = await Wire.JsonAsync(response);
        var vector = Floats(body.GetProperty("data")[0].GetProperty("embedding"));
        Assert.Equal(FakeChatModel.Embed("Hello", 8), vector);
        Assert.Equal(8, _server.Launcher.Models.Single().EmbeddingRequests.Single().Dimensions);
    }

    [Fact]
    public async Task Token_ids_are_embedded_as_given()
    {
        using var one = await PostAsync("""{"model":"test/embed","input":[101,7592,102]}""");
        using var many = await PostAsync("""{"model":"test/embed","input":[[101,7592,102],[5,6]]}""");

        var single = (await Wire.JsonAsync(one)).GetProperty("data");
        Assert.Equal(1, single.GetArrayLength());
        var both = (await Wire.JsonAsync(many)).GetProperty("data");
        Assert.Equal(2, both.GetArrayLength());
        Assert.Equal(Floats(single[0].GetProperty("embedding")), Floats(both[0].GetProperty("embedding")));
        var requests = _server.Launcher.Models.Single().EmbeddingRequests;
        Assert.Equal([101, 7592, 102], requests[0].Inputs.Single().Tokens!);
        Assert.Null(requests[0].Inputs.Single().Text);
        Assert.Equal([[101, 7592, 102], [5, 6]], requests[1].Inputs.Select(i => i.Tokens!.ToArray()));
    }

    [Theory]
    [InlineData(null, EmbeddingTask.Default)]
    [InlineData("default", EmbeddingTask.Default)]
    [InlineData("search_query", EmbeddingTask.SearchQuery)]
    [InlineData("search_document", EmbeddingTask.SearchDocument)]
    public async Task The_originals_task_type_reaches_the_engine(string? taskType, EmbeddingTask expected)
    {
        var extra = taskType is null ? "" : $",\"task_type\":\"{taskType}\"";

        using var response = await PostAsync($$"""{"model":"test/embed","input":"query text"{{extra}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, _server.Launcher.Models.Single().EmbeddingRequests.Single().Task);
    }

    [Fact]
    public async Task Truncate_lets_a_long_input_through_and_is_off_by_default()
    {
        var longText = string.Join(' ', Enumerable.Repeat("word", 1100)); // the harness's context is 1024

        using (var refused = await PostAsync($$"""{"model":"test/embed","input":"{{longText}}"}"""))
        {
            var error = await Wire.ErrorAsync(refused, HttpStatusCode.BadRequest);
            Assert.Equal("context_length_exceeded", error.Str("code"));
            Assert.Equal("input", error.Str("param"));
        }
        using var cut = await PostAsync($$"""{"model":"test/embed","input":"{{longText}}","truncate":true}""");

        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        Assert.Equal(1024, (await Wire.JsonAsync(cut)).GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.True(_server.Launcher.Models.Single().EmbeddingRequests[^1].Truncate);
    }

    [Fact]
    public async Task A_request_names_the_model_as_the_client_wrote_it_and_loads_it_once()
    {
        using (var first = await PostAsync("""{"model":"test/embed:q8_0","input":"x"}"""))
            Assert.Equal("test/embed:q8_0", (await Wire.JsonAsync(first)).Str("model"));
        using (var second = await PostAsync("""{"model":"test/embed","input":"y"}"""))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        Assert.Equal(1, _server.Launcher.Launches);
        Assert.Equal("embedder", _server.Launcher.Models.Single().Start.ModelType);
    }

    internal static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(x => x.GetSingle())];

    internal static float[] Decode(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        return values;
    }
}
