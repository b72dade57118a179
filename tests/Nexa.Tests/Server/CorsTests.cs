using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class CorsTests
{
    [Fact]
    public async Task Any_origin_passes_preflight_by_default_even_with_an_api_key()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { ApiKey = "k" });

        using var response = await server.Http.SendAsync(Preflight("http://app.example"));

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
        var headers = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
    }

    [Fact]
    public async Task A_listed_origin_is_allowed_and_others_are_not()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Origins = "http://a.example, http://b.example" });

        using (var allowed = await server.Http.SendAsync(Preflight("http://b.example")))
            Assert.Equal("http://b.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using (var denied = await server.Http.SendAsync(Preflight("http://evil.example")))
            Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("Origin", "http://a.example");
        using var actual = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
        Assert.Equal("http://a.example", actual.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Errors_carry_cors_headers_so_browsers_can_read_them()
    {
        await using var server = await ServerHarness.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(ServerHarness.ChatBody(model: "nobody/nothing"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", "http://app.example");
        using var response = await server.Http.SendAsync(request);

        await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
