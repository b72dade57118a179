using System.Net;
using System.Text;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>How both rerank routes refuse a request: status, OpenAI's error shape, the param and code.</summary>
public sealed class RerankingErrorTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/v1/reranking", """{"query":"q","documents":["a"]}""", "model", "missing_required_parameter")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q"}""", "documents", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":[]}""", "documents", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","documents":["a"]}""", "query", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"","documents":["a"]}""", "query", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":5,"documents":["a"]}""", "query", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":"a"}""", "documents", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a",7]}""", "documents[1]", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a",null]}""", "documents[1]", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":[{"title":"a"}]}""", "documents[0]", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a"],"normalize_method":"sigmoid"}""", "normalize_method", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a"],"normalize":"yes"}""", "normalize", "invalid_type")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a"],"batch_size":-1}""", "batch_size", "invalid_value")]
    [InlineData("/v1/reranking", """{"model":"test/rerank","query":"q","documents":["a"],"batch_size":"4"}""", "batch_size", "invalid_type")]
    [InlineData("/v1/rerank", """{"query":"q","documents":["a"]}""", "model", "missing_required_parameter")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","documents":["a"]}""", "query", "missing_required_parameter")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"","documents":["a"]}""", "query", "invalid_value")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q"}""", "documents", "missing_required_parameter")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":[]}""", "documents", "invalid_value")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":[1]}""", "documents[0]", "invalid_type")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":[{"text":2}]}""", "documents[0]", "invalid_type")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":["a"],"top_n":-1}""", "top_n", "invalid_value")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":["a"],"top_n":"2"}""", "top_n", "invalid_type")]
    [InlineData("/v1/rerank", """{"model":"test/rerank","query":"q","documents":["a"],"return_documents":1}""", "return_documents", "invalid_type")]
    public async Task A_bad_field_is_400_naming_it(string route, string body, string param, string code)
    {
        using var response = await _server.PostAsync(route, body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Equal(param, error.Str("param"));
        Assert.Equal(code, error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/reranking")]
    [InlineData("/v1/rerank")]
    public async Task Too_many_documents_are_refused_before_loading_anything(string route)
    {
        var body = new StringBuilder("""{"model":"test/rerank","query":"q","documents":[""");
        body.AppendJoin(',', Enumerable.Repeat("\"doc\"", 10_000));
        body.Append("]}");

        using var response = await _server.PostAsync(route, body.ToString());

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("documents", error.Str("param"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/reranking", ServerHarness.ChatModel, "llm")]
    [InlineData("/v1/reranking", ServerHarness.Embedder, "embedder")]
    [InlineData("/v1/rerank", ServerHarness.SeedModel, "llm")]
    [InlineData("/v1/rerank", ServerHarness.SeedEmbedder, "embedder")]
    public async Task A_model_that_is_not_a_reranker_is_400_naming_it_and_its_type(string route, string model, string type)
    {
        using var response = await _server.PostAsync(route, $$"""{"model":"{{model}}","query":"q","documents":["a"]}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
        Assert.Contains($"'{model}'", error.Str("message"));
        Assert.Contains($"'{type}'", error.Str("message"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("/v1/reranking")]
    [InlineData("/v1/rerank")]
    public async Task A_model_not_pulled_is_404(string route)
    {
        using var response = await _server.PostAsync(route, """{"model":"nobody/nothing","query":"q","documents":["a"]}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
    }

    [Theory]
    [InlineData("/v1/reranking")]
    [InlineData("/v1/rerank")]
    public async Task An_engine_refusal_is_400_with_its_code_and_param(string route)
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.InvalidRequest, "documents[0] with the query has 900 tokens; the context holds 512", "context_length_exceeded", "documents"));

        using var response = await _server.PostAsync(route, """{"model":"test/rerank","query":"q","documents":["a"]}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
        Assert.Equal("documents", error.Str("param"));
    }

    [Fact]
    public async Task A_pair_longer_than_the_context_is_400_unless_truncated()
    {
        var longDocument = string.Join(' ', Enumerable.Repeat("word", 1100));

        using (var refused = await _server.PostAsync("/v1/reranking", $$"""{"model":"test/rerank","query":"q","documents":["{{longDocument}}"]}"""))
            Assert.Equal("context_length_exceeded", (await Wire.ErrorAsync(refused, HttpStatusCode.BadRequest)).Str("code"));
        using var cut = await _server.PostAsync("/v1/reranking", $$"""{"model":"test/rerank","query":"q","documents":["{{longDocument}}"],"truncate":true}""");

        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        Assert.True(_server.Launcher.Models.Single().RerankRequests[^1].Truncate);
    }

    [Fact]
    public async Task An_llm_cannot_be_asked_to_rerank_and_a_reranker_cannot_chat()
    {
        using var chat = await _server.PostChatAsync(ServerHarness.ChatBody(model: ServerHarness.Reranker));

        var error = await Wire.ErrorAsync(chat, HttpStatusCode.BadRequest);
        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Contains("'reranker'", error.Str("message"));
        Assert.Contains("cannot chat", error.Str("message"));
    }
}
