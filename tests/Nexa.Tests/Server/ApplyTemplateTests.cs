using System.Net;
using System.Text.Json;
using Nexa.FakeRunner;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// <c>POST /apply-template</c> through the server's pipeline with the fake engine (its template is
/// <see cref="FakeTemplate"/>): the chat route's mapping and refusals, word for word, and the route's own refusals.
/// </summary>
public sealed class ApplyTemplateTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> PromptAsync(string body)
    {
        using var response = await _server.PostAsync("/apply-template", body);
        var json = await Wire.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {json}");
        Assert.Equal(["prompt"], json.EnumerateObject().Select(p => p.Name));
        return json.Str("prompt")!;
    }

    private async Task<JsonElement> ErrorAsync(string body, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        using var response = await _server.PostAsync("/apply-template", body);
        return await Wire.ErrorAsync(response, status);
    }

    [Fact]
    public async Task The_prompt_is_the_chat_as_the_models_template_renders_it()
    {
        var prompt = await PromptAsync("""{"model":"test/chat","messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]}]}""");

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi\nthere<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public async Task Tools_template_kwargs_and_the_thinking_switch_reach_the_template()
    {
        var prompt = await PromptAsync(ServerHarness.ChatBody(extra:
            """ "tools":[{"type":"function","function":{"name":"get_weather"}}],"chat_template_kwargs":{"greeting":"hey"},"enable_think":true """));

        Assert.StartsWith("# tools=[get_weather] kwargs={\"greeting\":\"hey\"} thinking=on\n", prompt);
    }

    [Fact]
    public async Task The_originals_system_only_warm_up_is_rendered_here_not_answered_with_null()
    {
        var prompt = await PromptAsync("""{"model":"test/chat","messages":[{"role":"system","content":"You are helpful."}],"ngl":99,"nctx":4096}""");

        Assert.Equal("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    // Each body is refused by the chat route's mapper: this route must say exactly the same.
    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"wizard","content":"Hi"}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user"}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"tool","content":"42"}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":[{"type":"audio"}]}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}],"temperature":"hot"}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}],"n":2}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}],"chat_template_kwargs":[1]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{}}]}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}],"tool_choice":"required"}""")]
    [InlineData("""{"model":"test/chat","messages":"Hi"}""")]
    [InlineData("""{"model":"test/chat","messages":[{"role":"user","content":"Hi"}]""")]
    public async Task A_bad_body_is_refused_exactly_as_the_chat_route_refuses_it(string body)
    {
        using var chat = await _server.PostChatAsync(body);
        var expected = await Wire.ErrorAsync(chat, HttpStatusCode.BadRequest);

        var error = await ErrorAsync(body);

        Assert.Equal(expected.ToString(), error.ToString());
        Assert.Empty(_server.Launcher.Models);
    }

    [Fact]
    public async Task An_empty_chat_is_400_not_a_warm_up()
    {
        var empty = await ErrorAsync("""{"model":"test/chat","messages":[]}""");
        var missing = await ErrorAsync("""{"model":"test/chat"}""");

        Assert.Equal(("messages", "invalid_value"), (empty.Str("param"), empty.Str("code")));
        Assert.Equal(("messages", "missing_required_parameter"), (missing.Str("param"), missing.Str("code")));
        Assert.Empty(_server.Launcher.Models);
    }

    [Fact]
    public async Task Images_are_refused_as_not_supported_yet_naming_the_part()
    {
        var error = await ErrorAsync("""{"model":"test/vision","messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}""");

        Assert.Equal("not supported yet: images in /apply-template", error.Str("message"));
        Assert.Equal("messages[0].content[1].image_url.url", error.Str("param"));
        Assert.Equal("unsupported_parameter", error.Str("code"));
    }

    [Theory]
    [InlineData(ServerHarness.Embedder, "an embedder")]
    [InlineData(ServerHarness.Reranker, "a reranker")]
    public async Task A_model_that_is_not_a_chat_model_is_400_model_not_supported(string model, string kind)
    {
        var error = await ErrorAsync(ServerHarness.ChatBody(model: model));

        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
        Assert.StartsWith($"model '{model}' cannot apply a chat template: it is {kind}", error.Str("message"));
        Assert.Empty(_server.Launcher.Models);
    }

    [Fact]
    public async Task A_model_that_is_not_pulled_is_404_as_for_a_chat()
    {
        using var chat = await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/absent"));
        var expected = await Wire.ErrorAsync(chat, HttpStatusCode.NotFound);

        var error = await ErrorAsync(ServerHarness.ChatBody(model: "test/absent"), HttpStatusCode.NotFound);

        Assert.Equal(expected.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_template_that_refuses_the_chat_is_400_chat_template_error()
    {
        var error = await ErrorAsync(ServerHarness.ChatBody(content: FakeTemplate.RaiseMessage));

        Assert.Equal("chat_template_error", error.Str("code"));
        Assert.Equal("messages", error.Str("param"));
        Assert.NotEmpty(await PromptAsync(ServerHarness.ChatBody()));
    }
}
