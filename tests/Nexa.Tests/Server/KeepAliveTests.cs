using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class KeepAliveTests
{
    [Fact]
    public async Task An_idle_model_unloads_after_the_keep_alive_and_reloads_on_the_next_request()
    {
        var clock = new ManualTimeProvider();
        await using var server = await ServerHarness.StartAsync(o => o with { KeepAliveSeconds = 1 }, clock);

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = Assert.Single(server.Launcher.Models);

        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(first.IsDisposed);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await Wire.EventuallyAsync(() => first.IsDisposed, "the idle model is unloaded");
        Assert.Empty((await Wire.JsonAsync(await server.Http.GetAsync("/health"))).GetProperty("models").EnumerateArray());

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Launcher.Launches);
    }

    [Fact]
    public async Task A_model_in_use_is_not_unloaded_and_each_request_restarts_the_idle_clock()
    {
        var clock = new ManualTimeProvider();
        await using var server = await ServerHarness.StartAsync(o => o with { KeepAliveSeconds = 10 }, clock);
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(100);

        using var slow = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":8"));
        var model = Assert.Single(server.Launcher.Models);
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.False(model.IsDisposed);
        await Wire.EventsAsync(slow);

        clock.Advance(TimeSpan.FromSeconds(9));
        using (await server.PostChatAsync(ServerHarness.ChatBody()))
        {
        }
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(model.IsDisposed);
        clock.Advance(TimeSpan.FromSeconds(2));
        await Wire.EventuallyAsync(() => model.IsDisposed, "the idle model is unloaded");
    }

    [Fact]
    public async Task Keep_alive_runs_on_the_real_clock()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { KeepAliveSeconds = 1 });

        using (var response = await server.PostChatAsync(ServerHarness.ChatBody()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var model = Assert.Single(server.Launcher.Models);
        await Wire.EventuallyAsync(() => model.IsDisposed, "the model unloads after 1 s idle", timeoutMs: 10_000);
    }
}
