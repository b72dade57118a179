using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// The original's warm-up convention (used by `nexa run`): a request with nothing to answer (a chat without messages,
/// embeddings of <c>[]</c>, reranking without query and documents) loads the model and says null. A system prompt
/// alone is a warm-up only in the original client's shape (with <c>ngl</c> / <c>nctx</c>, not streamed); stock
/// clients send it as an ordinary chat. A warm-up asked to stream answers an event stream, and stock clients'
/// <c>input: []</c> (they always name <c>encoding_format</c>) an empty list.
/// </summary>
public sealed class WarmUpTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"model":"test/chat"}""")]
    [InlineData("""{"model":"test/chat","messages":[]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"You are terse."}],"ngl":999,"nctx":4096}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"You are terse."}],"nctx":2048,"stream":false}""")]
    public async Task A_chat_with_nothing_to_answer_loads_the_model_and_answers_null(string body)
    {
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        var model = Assert.Single(_server.Launcher.Models);
        Assert.Empty(model.Requests);
        var health = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal(["test/chat:Q4_0"], health.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"Write a haiku."}]}""", false)]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"Write a haiku."}],"stream":true}""", true)]
    [InlineData("""{"model":"test/chat","messages":[{"role":"developer","content":"Write a haiku."}],"max_tokens":8}""", false)]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"Write a haiku."}],"ngl":999,"stream":true}""", true)]
    public async Task A_system_prompt_alone_from_a_stock_client_is_answered_like_any_chat(string body, bool stream)
    {
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text;
        if (stream)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var events = await Wire.EventsAsync(response);
            Assert.Equal("[DONE]", events[^1]);
            text = string.Concat(events[..^1].Select(e => System.Text.Json.JsonDocument.Parse(e).RootElement)
                .SelectMany(chunk => chunk.GetProperty("choices").EnumerateArray())
                .Select(choice => choice.GetProperty("delta").Str("content")));
        }
        else
        {
            var completion = await Wire.JsonAsync(response);
            text = completion.GetProperty("choices")[0].GetProperty("message").Str("content")!;
        }
        Assert.StartsWith("You said:", text);
        var request = Assert.Single(Assert.Single(_server.Launcher.Models).Requests);
        Assert.Equal("system", Assert.Single(request.Messages).Role);
    }

    [Theory]
    [InlineData("""{"model":"test/chat","stream":true}""")]
    [InlineData("""{"model":"test/chat","messages":[],"stream":true,"stream_options":{"include_usage":true}}""")]
    public async Task A_warm_up_that_asks_to_stream_answers_an_event_stream_without_choices(string body)
    {
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Wire.EventsAsync(response);
        Assert.Equal(2, events.Count);
        var chunk = System.Text.Json.JsonDocument.Parse(events[0]).RootElement;
        Assert.Equal("chat.completion.chunk", chunk.Str("object"));
        Assert.Equal("test/chat", chunk.Str("model"));
        Assert.StartsWith("chatcmpl-", chunk.Str("id"));
        Assert.Empty(chunk.GetProperty("choices").EnumerateArray());
        Assert.Equal("[DONE]", events[1]);
        Assert.Empty(Assert.Single(_server.Launcher.Models).Requests);
    }

    [Fact]
    public async Task Embeddings_of_nothing_from_a_stock_client_answer_an_empty_list()
    {
        // Stock OpenAI clients always name encoding_format (the npm and .NET ones ask for base64 by default).
        using var response = await _server.PostAsync("/v1/embeddings", """{"model":"test/embed","input":[],"encoding_format":"float"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await Wire.JsonAsync(response);
        Assert.Equal("list", list.Str("object"));
        Assert.Equal("test/embed", list.Str("model"));
        Assert.Empty(list.GetProperty("data").EnumerateArray());
        Assert.Equal(0, list.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Empty(Assert.Single(_server.Launcher.Models).EmbeddingRequests);
    }

    [Fact]
    public async Task A_warm_up_for_a_model_not_pulled_is_still_404()
    {
        using var response = await _server.PostChatAsync("""{"model":"nobody/nothing","messages":[]}""");

        await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model":"test/embed","input":[]}""", "test/embed:Q8_0")]
    [InlineData("/v1/embeddings", """{"model":"djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF","input":[],"task_type":"search_query"}""", "djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF:Q5_K_M")]
    [InlineData("/v1/reranking", """{"model":"test/rerank"}""", "test/rerank:Q8_0")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"","documents":[]}""", "test/rerank:Q8_0")]
    [InlineData("/v1/reranking", """{"model":"NexaAI/jina-v2-rerank-npu","query":"","documents":[],"batch_size":4,"normalize":true,"normalize_method":"softmax"}""", "NexaAI/jina-v2-rerank-npu:Q4_0")]
    public async Task Embeddings_and_reranking_with_nothing_to_do_load_the_model_and_answer_null(string route, string body, string loaded)
    {
        using var response = await _server.PostAsync(route, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        var model = Assert.Single(_server.Launcher.Models);
        Assert.Empty(model.EmbeddingRequests);
        Assert.Empty(model.RerankRequests);
        var health = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal([loaded], health.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model":"test/chat","input":[]}""")]
    [InlineData("/v1/reranking", """{"model":"test/embed"}""")]
    public async Task A_warm_up_for_the_wrong_model_type_is_still_400(string route, string body)
    {
        using var response = await _server.PostAsync(route, body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model":"test/embed","input":""}""")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"","documents":[]}""")]
    public async Task An_empty_string_input_and_an_empty_jina_rerank_are_400_not_warm_ups(string route, string body)
    {
        using var response = await _server.PostAsync(route, body);

        await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, _server.Launcher.Launches);
    }
}
