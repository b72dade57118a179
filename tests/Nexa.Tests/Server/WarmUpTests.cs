using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>The original's warm-up convention (used by `nexa run`): a chat with nothing to answer loads the model and says null.</summary>
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
}
