using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>
/// Five hundred requests through the real runner, many of whose clients leave at random moments (before the
/// answer starts, mid-prefill, mid-stream, while queued): afterwards /health must count no busy slot, no queued
/// request and no running sequence, and the model must still answer in full. Counts, never timings.
/// </summary>
public sealed class DisconnectLeakThroughRunnerTests
{
    private const int Requests = 500;
    private const int Clients = 12;

    [Fact]
    public async Task Five_hundred_requests_with_random_disconnects_leave_no_slot_or_sequence_behind()
    {
        await using var server = await RealServer.StartAsync(o => o with { Parallel = 4, ContextSize = 256, QueueSize = Requests });
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var random = new Random(20261125);
        // Clients that leave ask for long answers (up to 150 tokens), so most of them leave mid-generation.
        var plans = Enumerable.Range(0, Requests).Select(i =>
        {
            var kind = random.Next(5);
            return new Plan(i, kind, kind < 2 ? random.Next(1, 24) : random.Next(20, 150), random.Next(0, 40), random.Next(0, 4));
        }).ToList();

        var outcomes = new int[5];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            using var client = server.NewClient();
            int i;
            while ((i = Interlocked.Increment(ref next)) < plans.Count)
            {
                if (await RunAsync(client, plans[i], bound.Token))
                    Interlocked.Increment(ref outcomes[plans[i].Kind]);
            }
        }));
        // Every kind of client ran, and the ones that stay got whole answers (checked in RunAsync).
        Assert.All(outcomes, count => Assert.True(count > 0));

        JsonElement model = default;
        await Poll.UntilAsync(async () =>
        {
            var health = JsonDocument.Parse(await server.Http.GetStringAsync("/health", bound.Token)).RootElement;
            model = health.GetProperty("loaded").EnumerateArray().Single();
            return model.GetProperty("slots_busy").GetInt32() == 0 && model.GetProperty("active_sequences").GetInt32() == 0;
        }, "every slot and sequence to be free");
        Assert.Equal(0, model.GetProperty("queued").GetInt32());
        Assert.Equal(0, model.GetProperty("engine_queued").GetInt32());
        Assert.Equal(4, model.GetProperty("slots").GetInt32());
        Assert.InRange(model.GetProperty("cache_tokens").GetInt32(), 0, model.GetProperty("context_size").GetInt32());

        // The same runner still serves a whole answer on every slot at once.
        var after = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Answers.CompleteAsync(server, RealServer.ChatBody($"After {i}", "\"max_tokens\":20,\"ignore_eos\":true"), bound.Token)));
        Assert.All(after, a => Assert.Equal(20, a.CompletionTokens));
        Assert.Single(server.RunnerPids());
    }

    /// <summary>Kind: 0 whole answer, 1 whole stream, 2 leave mid-stream after some events, 3 leave after a delay, 4 leave at once.</summary>
    private sealed record Plan(int Index, int Kind, int MaxTokens, int DelayMs, int Events);

    // True when the client stayed to the end (kinds 0 and 1) and got the whole answer, or left as planned.
    private static async Task<bool> RunAsync(HttpClient client, Plan plan, CancellationToken bound)
    {
        var stream = plan.Kind is 1 or 2;
        var body = RealServer.ChatBody($"Request {plan.Index} {new string('x', plan.Index % 50)}",
            $"\"max_tokens\":{plan.MaxTokens},\"ignore_eos\":true,\"seed\":{plan.Index}" + (stream ? ",\"stream\":true" : ""));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(bound);
        if (plan.Kind == 3)
            leave.CancelAfter(plan.DelayMs);
        else if (plan.Kind == 4)
            await leave.CancelAsync();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = RealServer.Json(body) };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            response.EnsureSuccessStatusCode();
            if (!stream)
            {
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(leave.Token)).RootElement;
                if (plan.Kind == 0)
                    Assert.Equal(plan.MaxTokens, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
                return true;
            }
            using var events = new EventReader(await response.Content.ReadAsStreamAsync(leave.Token));
            var seen = 0;
            while (await events.NextAsync(leave.Token) is not null)
            {
                if (plan.Kind == 2 && ++seen > plan.Events)
                {
                    // Leave mid-stream: cancelling the read aborts the connection.
                    await leave.CancelAsync();
                }
            }
            return true;
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested && !bound.IsCancellationRequested)
        {
            return plan.Kind >= 2;
        }
        catch (HttpRequestException) when (leave.IsCancellationRequested && !bound.IsCancellationRequested)
        {
            return plan.Kind >= 2;
        }
        catch (IOException) when (leave.IsCancellationRequested && !bound.IsCancellationRequested)
        {
            return plan.Kind >= 2;
        }
    }
}
