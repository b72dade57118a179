using System.Net;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class CrashRecoveryTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crashed_runner_costs_one_request_and_the_next_launches_a_fresh_one(bool stream)
    {
        await using var server = await ServerHarness.StartAsync();
        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = Assert.Single(server.Launcher.Models);
        server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.Crashed, "the runner for test/chat exited (signal 6)"), FakeLauncher.FailAt.AfterFirstToken);

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody(extra: $"\"stream\":{(stream ? "true" : "false")}")))
        {
            if (stream)
                Assert.Contains("signal 6", (await Wire.EventsAsync(response))[^1]);
            else
                Assert.Contains("signal 6", (await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError)).Str("message"));
        }
        await Wire.EventuallyAsync(() => first.IsDisposed, "the crashed model is dropped");

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Launcher.Launches);
        Assert.False(server.Launcher.Models[1].IsDisposed);
    }

    [Fact]
    public async Task A_runner_that_died_while_idle_is_replaced_before_the_next_request_fails()
    {
        await using var server = await ServerHarness.StartAsync();
        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = Assert.Single(server.Launcher.Models);
        first.HasExited = true;

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Launcher.Launches);
        await Wire.EventuallyAsync(() => first.IsDisposed, "the dead model is dropped");
    }
}
