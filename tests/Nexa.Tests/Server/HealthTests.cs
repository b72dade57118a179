using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class HealthTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_root_says_the_server_is_running()
    {
        using var response = await _server.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("running", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_is_ok_and_names_the_loaded_models()
    {
        var before = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal("ok", before.Str("status"));
        Assert.Empty(before.GetProperty("models").EnumerateArray());

        using (await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/beta")))
        using (await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/alpha")))
        {
        }

        var after = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal(["test/alpha:Q4_0", "test/beta:Q4_0"], after.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }
}
