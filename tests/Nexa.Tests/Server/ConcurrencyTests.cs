using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>Concurrent requests: one shared load, Parallel slots per model, a bounded queue, and 503 beyond it.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_first_requests_share_one_load()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Parallel = 4 });
        server.Launcher.LaunchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 6).Select(i => server.PostChatAsync(ServerHarness.ChatBody(content: $"request {i}"))).ToList();
        await Task.Delay(200);
        server.Launcher.LaunchGate.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, server.Launcher.Launches);
        Assert.Equal(6, server.Launcher.Models[0].Requests.Count);
        foreach (var response in responses)
            response.Dispose();
    }

    [Fact]
    public async Task With_no_queue_a_request_beyond_the_parallel_slots_is_503_with_retry_after()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Parallel = 1, QueueSize = 0 });
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var busy = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":10"));
        using (var refused = await server.PostChatAsync(ServerHarness.ChatBody()))
        {
            var error = await Wire.ErrorAsync(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("server_error", error.Str("type"));
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        }
        await Wire.EventsAsync(busy);

        using var after = await server.PostChatAsync(ServerHarness.ChatBody());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Requests_wait_their_turn_up_to_the_queue_size_and_beyond_it_are_503()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Parallel = 1, QueueSize = 1 });
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var busy = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":20"));
        var waiting = new[] { server.PostChatAsync(ServerHarness.ChatBody()), server.PostChatAsync(ServerHarness.ChatBody()) };

        // One of the two takes the only place in the queue; the other is turned away at once.
        var refused = await Task.WhenAny(waiting);
        await Wire.ErrorAsync(await refused, HttpStatusCode.ServiceUnavailable);
        var queued = waiting.Single(t => t != refused);
        Assert.False(queued.IsCompleted);

        await Wire.EventsAsync(busy);
        using var served = await queued;
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        (await refused).Dispose();
    }

    [Fact]
    public async Task Parallel_slots_let_generations_of_one_model_run_together()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Parallel = 2, QueueSize = 0 });
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var first = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":10"));
        using var second = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":10"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, server.Launcher.Models[0].ActiveGenerations);
        await Task.WhenAll(Wire.EventsAsync(first), Wire.EventsAsync(second));
    }
}
