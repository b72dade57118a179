using System.Net;

namespace Nexa.Tests.Integration;

/// <summary>A chat request without messages loads the model (starts its runner) and answers null.</summary>
public sealed class WarmUpThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Empty_messages_load_the_model_and_answer_null()
    {
        Assert.Empty(await Server.LoadedModelsAsync());
        Assert.Empty(Server.RunnerPids());

        using var response = await Server.PostChatAsync($$"""{"model":"{{RealServer.Model}}","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Equal([RealServer.LoadedKey], await Server.LoadedModelsAsync());
        var runner = Assert.Single(Server.RunnerPids());

        // The warmed-up runner answers the first real request: no second load.
        var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":4"));
        Assert.InRange(completion.CompletionTokens, 0, 4);
        Assert.Equal([runner], Server.RunnerPids());
    }
}
