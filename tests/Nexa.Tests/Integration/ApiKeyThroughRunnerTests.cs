using System.Net;
using Nexa.Server;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>With an API key set, /v1 needs <c>Authorization: Bearer &lt;key&gt;</c>; /health stays open for probes.</summary>
public sealed class ApiKeyThroughRunnerTests(ApiKeyThroughRunnerTests.KeyedServer fixture) : IClassFixture<ApiKeyThroughRunnerTests.KeyedServer>
{
    public const string Key = "sk-nexa-integration";

    private RealServer Server => fixture.Server;

    public sealed class KeyedServer : RealServerFixture
    {
        protected override ServerOptions Configure(ServerOptions options) => options with { ApiKey = Key };
    }

    [Fact]
    public async Task No_key_is_401_in_openai_shape()
    {
        using var response = await Server.PostChatAsync(RealServer.ChatBody());

        var error = await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_api_key", error.Str("code"));
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_wrong_key_is_401_in_openai_shape()
    {
        using var client = Server.NewClient("sk-wrong");

        using var response = await client.PostAsync("/v1/chat/completions", RealServer.Json(RealServer.ChatBody()));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_api_key", error.Str("code"));
        using var models = await client.GetAsync("/v1/models");
        await Wire.ErrorAsync(models, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_right_bearer_key_gets_an_answer_from_the_runner()
    {
        using var client = Server.NewClient(Key);

        using var response = await client.PostAsync("/v1/chat/completions", RealServer.Json(RealServer.ChatBody(extra: "\"max_tokens\":4,\"ignore_eos\":true")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var completion = new Completion(await Wire.JsonAsync(response));
        Assert.Equal(4, completion.CompletionTokens);
        Assert.Equal("chat.completion", completion.Root.Str("object"));
    }

    [Fact]
    public async Task Health_needs_no_key()
    {
        using var response = await Server.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await Wire.JsonAsync(response)).Str("status"));
    }
}
