using System.Net;
using System.Text;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>Each row of the error table, as a client meets it: status, OpenAI's error shape, the param and code.</summary>
public sealed class ChatErrorTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(o => o with { MaxBodyBytes = 64 * 1024 });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("{\"model\": \"test/chat\", \"messages\": [")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    public async Task A_body_that_is_not_a_json_object_is_400(string body)
    {
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.Str("type"));
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_400_saying_so()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(ServerHarness.ChatBody()).ToList();
        var at = bytes.IndexOf((byte)'H'); // inside the user's text
        bytes.InsertRange(at, [0xFF, 0xFE]);
        using var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new("application/json");
        using var response = await _server.Http.PostAsync("v1/chat/completions", content);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid UTF-8", error.Str("message"));
    }

    [Theory]
    [InlineData("\"temperature\":\"hot\"", "temperature", "a number")]
    [InlineData("\"max_tokens\":\"64\"", "max_tokens", "an integer")]
    [InlineData("\"max_tokens\":6.5", "max_tokens", "an integer")]
    [InlineData("\"stream\":\"yes\"", "stream", "true or false")]
    [InlineData("\"stop\":5", "stop", "a string or an array of strings")]
    [InlineData("\"logit_bias\":[1]", "logit_bias", "an object")]
    [InlineData("\"stream_options\":{\"include_usage\":1}", "stream_options.include_usage", "true or false")]
    public async Task A_field_of_the_wrong_type_is_400_naming_it(string extra, string param, string expected)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(extra: extra));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Equal("invalid_type", error.Str("code"));
        Assert.EndsWith($"expected {expected}", error.Str("message"));
    }

    [Theory]
    [InlineData("""{"model":"test/chat","messages":"hello"}""", "messages")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":5}]}""", "messages[0].content")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":[{"type":"text","text":1}]}]}""", "messages[0].content")]
    [InlineData("""{"model":42,"messages":[]}""", "model")]
    [InlineData("""{"model":"test/chat","messages":[{"role":5,"content":"x"}]}""", "messages[0].role")]
    [InlineData("""{"model":"test/chat","messages":[null]}""", "messages[0]")]
    public async Task A_message_of_the_wrong_shape_is_400_naming_it(string body, string param)
    {
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"test/chat","messages":[{"content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user"}]}""", "messages[0].content")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":[{"text":"hi"}]}]}""", "messages[0].content[0].type")]
    public async Task A_missing_field_is_400_naming_it(string body, string param)
    {
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Equal("missing_required_parameter", error.Str("code"));
    }

    [Theory]
    [InlineData("\"temperature\":2.5", "temperature")]
    [InlineData("\"temperature\":-0.1", "temperature")]
    [InlineData("\"top_p\":1.5", "top_p")]
    [InlineData("\"top_k\":-1", "top_k")]
    [InlineData("\"min_p\":2", "min_p")]
    [InlineData("\"repetition_penalty\":0", "repetition_penalty")]
    [InlineData("\"presence_penalty\":-3", "presence_penalty")]
    [InlineData("\"frequency_penalty\":2.1", "frequency_penalty")]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    [InlineData("\"max_completion_tokens\":-5", "max_completion_tokens")]
    [InlineData("\"n\":0", "n")]
    [InlineData("\"logit_bias\":{\"abc\":1}", "logit_bias")]
    [InlineData("\"logit_bias\":{\"5\":101}", "logit_bias")]
    [InlineData("\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]", "messages[0].role")]
    public async Task A_value_out_of_range_is_400_naming_the_param(string extra, string param)
    {
        var body = extra.StartsWith("\"messages\"", StringComparison.Ordinal)
            ? "{\"model\":\"test/chat\"," + extra + "}"
            : ServerHarness.ChatBody(extra: extra);
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Equal("invalid_value", error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"logprobs\":true", "logprobs")]
    public async Task What_we_cannot_honour_yet_is_refused_never_ignored(string extra, string param)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(extra: extra));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.StartsWith("not supported yet", error.Str("message"));
    }

    [Theory]
    [InlineData("nobody/nothing")]
    [InlineData("not-pulled")]
    [InlineData("a/b/c")]
    public async Task An_unknown_model_is_404_model_not_found(string model)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(model: model));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
    }

    [Fact]
    public async Task A_quant_not_downloaded_is_404_naming_the_quants_it_has()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/chat:Q8_0"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
        Assert.Contains("Q8_0", error.Str("message"));
        Assert.Contains("Q4_0", error.Str("message"));
    }

    [Fact]
    public async Task An_embedder_cannot_chat()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(model: ServerHarness.Embedder));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("embedder", error.Str("message"));
        Assert.Equal("model", error.Str("param"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [InlineData(ServerHarness.ChatModel, "cannot see images")]
    [InlineData(ServerHarness.Vision, "file not found")]
    public async Task The_seed_vlm_body_with_a_missing_file_is_400_and_a_text_model_cannot_see_images(string model, string says)
    {
        // The seed's VLM body, pointed at our models.
        var body = $$$"""
            {"model":"{{{model}}}","messages":[{"role":"user","content":[{"type":"text","text":"what is main color of the picture"},
             {"type":"image_url","image_url":{"url":"/path/to/image.png"}}]}],"stream":false}
            """;
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(says, error.Str("message"));
    }

    [Fact]
    public async Task An_engine_refusal_is_400_with_its_code_and_param()
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.InvalidRequest, "the prompt has 5000 tokens; the context holds 1024", "context_length_exceeded", "messages"));

        using var response = await _server.PostChatAsync(ServerHarness.ChatBody());

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Equal("context_length_exceeded", error.Str("code"));
        Assert.Equal("messages", error.Str("param"));
        Assert.Equal("the prompt has 5000 tokens; the context holds 1024", error.Str("message"));
    }

    [Theory]
    [InlineData(EngineErrorKind.Internal, "decode returned 1")]
    [InlineData(EngineErrorKind.Crashed, "the runner exited with signal 11")]
    public async Task An_engine_fault_is_500_server_error_with_its_message(EngineErrorKind kind, string message)
    {
        _server.Launcher.FailNextGeneration(new EngineException(kind, message));

        using var response = await _server.PostChatAsync(ServerHarness.ChatBody());

        var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal("server_error", error.Str("type"));
        Assert.Equal(message, error.Str("message"));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_is_500_with_the_reason_and_is_tried_again_next_time()
    {
        _server.Launcher.FailNextLaunch(new EngineException(EngineErrorKind.LoadFailed, "llama_model_load: tensor 'output.weight' has wrong shape"));

        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody()))
        {
            var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
            Assert.Equal("server_error", error.Str("type"));
            Assert.Contains("wrong shape", error.Str("message"));
        }
        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _server.Launcher.Launches);
    }

    [Fact]
    public async Task An_unexpected_exception_is_500_and_the_server_lives_on()
    {
        _server.Launcher.FailNextGeneration(new InvalidOperationException("a bug"));

        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody()))
        {
            var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
            Assert.Equal("server_error", error.Str("type"));
        }
        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var huge = ServerHarness.ChatBody(content: new string('a', 100 * 1024));
        using (var response = await _server.PostChatAsync(huge))
            await Wire.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);

        // Without Content-Length (chunked), the limit holds as the body streams in.
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using (var response = await _server.Http.SendAsync(request))
            await Wire.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing", HttpStatusCode.NotFound)]
    [InlineData("POST", "/v1/completions", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/chat/completions", HttpStatusCode.MethodNotAllowed)]
    public async Task An_unknown_route_answers_in_openais_error_shape(string method, string path, HttpStatusCode status)
    {
        using var response = await _server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await Wire.ErrorAsync(response, status);
    }
}
