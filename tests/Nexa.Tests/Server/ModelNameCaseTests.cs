using System.Net;
using Nexa.Hub.Store;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// Hugging Face repo ids ignore case, and so does every route: <c>Test/CHAT</c> is the pulled <c>test/chat</c> (one
/// loaded instance for both spellings, the answer echoing the one sent). Two pulled spellings that differ only in case
/// make such a name ambiguous (400); a name nothing matches is a 404 that says which pulled names are near.
/// </summary>
public sealed class ModelNameCaseTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = (await ServerHarness.StartAsync()).WithImageModels();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"Test/CHAT","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"nexaai/qwen3-0.6b-gguf:q8_0","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/embeddings", """{"model":"TEST/Embed","input":"hi"}""")]
    [InlineData("/v1/reranking", """{"model":"test/RERANK","query":"q","documents":["a"]}""")]
    [InlineData("/v1/rerank", """{"model":"Test/Rerank","query":"q","documents":["a"]}""")]
    [InlineData("/v1/images/generations", """{"model":"TEST/SD","prompt":"a cat","response_format":"b64_json"}""")]
    public async Task Every_route_finds_a_pulled_model_whatever_the_case(string route, string body)
    {
        using var response = await _server.PostAsync(route, body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var answer = await Wire.JsonAsync(response);
        var sent = System.Text.Json.JsonDocument.Parse(body).RootElement.Str("model");
        if (answer.Str("model") is { } echoed)
            Assert.Equal(sent, echoed);
        Assert.Equal(1, _server.Launcher.Launches);
    }

    [Fact]
    public async Task Two_spellings_of_one_model_share_one_loaded_instance()
    {
        foreach (var model in (string[])["test/chat", "TEST/CHAT", "Test/Chat:q4_0"])
            (await _server.PostChatAsync(ServerHarness.ChatBody(model))).EnsureSuccessStatusCode();

        Assert.Equal(1, _server.Launcher.Launches);
        Assert.Equal(3, Assert.Single(_server.Launcher.Models).Requests.Count);
    }

    [Theory]
    [InlineData("/v1/models/TEST/chat", "test/chat")]
    [InlineData("/v1/models/test%2FCHAT:q4_0", "test/chat:Q4_0")]
    [InlineData("/v1/models/nexaai/QWEN3-0.6B-GGUF", "NexaAI/Qwen3-0.6B-GGUF")]
    public async Task Describing_a_case_variant_names_the_model_as_pulled(string path, string id)
    {
        using var response = await _server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, (await Wire.JsonAsync(response)).Str("id"));
    }

    [Fact]
    public async Task Spellings_that_differ_only_in_case_make_a_third_ambiguous()
    {
        ServerHarness.AddModel(_server.Store, "Test/Chat", ModelTypes.Llm, ("Q4_0", true));

        using var ambiguous = await _server.PostChatAsync(ServerHarness.ChatBody("TEST/CHAT"));
        var error = await Wire.ErrorAsync(ambiguous, HttpStatusCode.BadRequest);
        Assert.Equal("ambiguous_model", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
        Assert.Contains("Test/Chat", error.Str("message"));
        Assert.Contains("test/chat", error.Str("message"));

        // Either exact spelling is still its own model.
        (await _server.PostChatAsync(ServerHarness.ChatBody("Test/Chat"))).EnsureSuccessStatusCode();
        (await _server.PostChatAsync(ServerHarness.ChatBody("test/chat"))).EnsureSuccessStatusCode();
        Assert.Equal(2, _server.Launcher.Launches);
        await Wire.ErrorAsync(await _server.Http.GetAsync("/v1/models/TEST/CHAT"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("test/chatt", "'test/chat'", "nexa pull test/chatt")]
    [InlineData("test/emebd", "'test/embed'", "nexa pull test/emebd")]
    [InlineData("qwen3-0.6b-gguf-q4", "'NexaAI/Qwen3-0.6B-GGUF'", "--alias qwen3-0.6b-gguf-q4=")]
    public async Task A_name_not_pulled_is_404_with_the_nearest_pulled_names(string model, string suggested, string advice)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(model));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
        var message = error.Str("message")!;
        Assert.Contains($"did you mean {suggested}", message);
        Assert.Contains(advice, message);
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task A_name_without_an_organisation_is_not_told_to_pull_from_nexaai()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody("gpt-4o-mini"));

        var message = (await Wire.ErrorAsync(response, HttpStatusCode.NotFound)).Str("message")!;
        Assert.DoesNotContain("NexaAI/gpt-4o-mini", message);
        Assert.DoesNotContain("did you mean", message);
        Assert.Contains("--alias gpt-4o-mini=", message);
    }
}
