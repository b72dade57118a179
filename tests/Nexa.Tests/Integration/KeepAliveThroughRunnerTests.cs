using Nexa.Server;

namespace Nexa.Tests.Integration;

/// <summary>An idle model's runner exits after KeepAliveSeconds; the next request starts a new one.</summary>
public sealed class KeepAliveThroughRunnerTests(KeepAliveThroughRunnerTests.ShortKeepAliveServer fixture)
    : IClassFixture<KeepAliveThroughRunnerTests.ShortKeepAliveServer>
{
    private RealServer Server => fixture.Server;

    public sealed class ShortKeepAliveServer : RealServerFixture
    {
        protected override ServerOptions Configure(ServerOptions options) => options with { KeepAliveSeconds = 1 };
    }

    [Fact]
    public async Task An_idle_runner_exits_after_keep_alive_and_the_next_request_loads_the_model_again()
    {
        await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":2"));
        var first = Assert.Single(Server.RunnerPids());

        // One second of keep-alive, then the runner's shutdown grace: well within ten.
        await Poll.UntilAsync(() => !RunnerProcesses.IsAlive(first), "the idle runner to exit", TimeSpan.FromSeconds(10));
        Assert.Empty(await Server.LoadedModelsAsync());
        Assert.Empty(Server.RunnerPids());

        var again = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":2,\"ignore_eos\":true"));

        Assert.Equal(2, again.CompletionTokens);
        var second = Assert.Single(Server.RunnerPids());
        Assert.NotEqual(first, second);
        Assert.Equal([RealServer.LoadedKey], await Server.LoadedModelsAsync());
    }
}
