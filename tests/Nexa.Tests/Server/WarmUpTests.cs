using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// The original's warm-up convention (used by `nexa run`): a request with nothing to answer (a chat without messages,
/// embeddings of <c>[]</c>, reranking without query and documents) loads the model and says null.
/// </summary>
public sealed class WarmUpTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"model":"test/chat"}""")]
    [InlineData("""{"model":"test/chat","messages":[]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"system","content":"You are terse."}],"stream":true}""")]
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

    [Fact]
    public async Task A_warm_up_for_a_model_not_pulled_is_still_404()
    {
        using var response = await _server.PostChatAsync("""{"model":"nobody/nothing","messages":[]}""");

        await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model":"test/embed","input":[]}""", "test/embed:Q8_0")]
    [InlineData("/v1/embeddings", """{"model":"djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF","input":[],"encoding_format":"base64"}""", "djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF:Q5_K_M")]
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
