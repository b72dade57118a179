using System.Diagnostics;
using System.Net;
using System.Text;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>Every way an embeddings request can be refused: status, OpenAI's error shape, the param and code.</summary>
public sealed class EmbeddingsErrorTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string json) => _server.PostAsync("/v1/embeddings", json);

    [Theory]
    [InlineData("""{"input":"x"}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"","input":"x"}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"test/embed"}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"test/embed","input":null}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"test/embed","input":""}""", "input", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":["a","","c"]}""", "input[1]", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":[[1,2],[]]}""", "input[1]", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":5}""", "input", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":{"text":"x"}}""", "input", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":["a",5]}""", "input[1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":["a",null]}""", "input[1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[true]}""", "input[0]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[{"a":1}]}""", "input[0]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[1,"a"]}""", "input[1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[1,2.5]}""", "input[1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[1,-2]}""", "input[1]", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":[[1],"a"]}""", "input[1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":[[1],[2,"x"]]}""", "input[1][1]", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":"x","encoding_format":"int8"}""", "encoding_format", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":"x","encoding_format":5}""", "encoding_format", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":"x","dimensions":0}""", "dimensions", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":"x","dimensions":-3}""", "dimensions", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":"x","dimensions":"8"}""", "dimensions", "invalid_type")]
    [InlineData("""{"model":"test/embed","input":"x","task_type":"classification"}""", "task_type", "invalid_value")]
    [InlineData("""{"model":"test/embed","input":"x","truncate":"yes"}""", "truncate", "invalid_type")]
    public async Task A_bad_field_is_400_naming_it(string body, string param, string code)
    {
        using var response = await PostAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Equal(param, error.Str("param"));
        Assert.Equal(code, error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[\"a\"]")]
    public async Task A_body_that_is_not_a_json_object_is_400(string body)
    {
        using var response = await PostAsync(body);

        await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ten_thousand_inputs_are_refused_at_once_before_loading_anything()
    {
        var body = new StringBuilder("""{"model":"test/embed","input":[""");
        body.AppendJoin(',', Enumerable.Repeat("\"text\"", 10_000));
        body.Append("]}");
        var clock = Stopwatch.StartNew();

        using var response = await PostAsync(body.ToString());

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("input", error.Str("param"));
        Assert.Contains("2048", error.Str("message"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task Exactly_the_limit_is_served()
    {
        var inputs = string.Join(',', Enumerable.Range(0, 2048).Select(i => $"\"text {i}\""));

        using var response = await PostAsync($$"""{"model":"test/embed","input":[{{inputs}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2048, (await Wire.JsonAsync(response)).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData(ServerHarness.ChatModel, "llm")]
    [InlineData(ServerHarness.Vision, "vlm")]
    [InlineData(ServerHarness.Reranker, "reranker")]
    public async Task A_model_that_is_not_an_embedder_is_400_naming_it_and_its_type(string model, string type)
    {
        using var response = await PostAsync($$"""{"model":"{{model}}","input":"x"}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
        Assert.Contains($"'{model}'", error.Str("message"));
        Assert.Contains($"'{type}'", error.Str("message"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task A_model_not_pulled_is_404()
    {
        using var response = await PostAsync("""{"model":"nobody/nothing","input":"x"}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
    }

    [Fact]
    public async Task More_dimensions_than_the_model_has_is_the_engines_400()
    {
        using var response = await PostAsync($$"""{"model":"test/embed","input":"x","dimensions":{{FakeChatModel.EmbeddingSize + 1}}}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("dimensions", error.Str("param"));
    }

    [Fact]
    public async Task An_engine_refusal_is_400_with_its_code_and_param()
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.InvalidRequest, "input[0] has 9000 tokens; the context holds 512", "context_length_exceeded", "input"));

        using var response = await PostAsync("""{"model":"test/embed","input":["x"]}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
        Assert.Equal("input", error.Str("param"));
        Assert.Equal("input[0] has 9000 tokens; the context holds 512", error.Str("message"));
    }

    [Fact]
    public async Task A_crashed_runner_is_500_and_the_next_request_gets_a_fresh_one()
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.Crashed, "the runner exited with signal 11"));

        using (var response = await PostAsync("""{"model":"test/embed","input":"x"}"""))
        {
            var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
            Assert.Equal("server_error", error.Str("type"));
        }
        using (var response = await PostAsync("""{"model":"test/embed","input":"x"}"""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(2, _server.Launcher.Launches);
    }
}
