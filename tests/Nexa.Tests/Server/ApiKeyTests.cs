using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class ApiKeyTests
{
    private const string Key = "sk-local-secret";

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("sk-local-secret-but-longer")]
    public async Task Without_the_right_key_every_v1_route_is_401(string? presented)
    {
        await using var server = await ServerHarness.StartAsync(o => o with { ApiKey = Key });
        using var client = server.NewClient(presented);

        foreach (var request in Requests())
        {
            using var response = await client.SendAsync(request);
            var error = await Wire.ErrorAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("invalid_api_key", error.Str("code"));
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        Assert.Equal(0, server.Launcher.Launches);
    }

    [Fact]
    public async Task With_the_right_key_v1_routes_answer()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { ApiKey = Key });
        using var client = server.NewClient(Key);

        foreach (var request in Requests())
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Liveness_routes_stay_open_with_a_key_set()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { ApiKey = Key });
        using var client = server.NewClient();

        using (var health = await client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var root = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_configured_no_key_is_needed()
    {
        await using var server = await ServerHarness.StartAsync();
        using var client = server.NewClient("anything");

        foreach (var request in Requests())
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static IEnumerable<HttpRequestMessage> Requests()
    {
        yield return new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        yield return new HttpRequestMessage(HttpMethod.Get, "/v1/models/test/chat");
        yield return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(ServerHarness.ChatBody(), System.Text.Encoding.UTF8, "application/json"),
        };
    }
}
