using System.Diagnostics;

namespace Nexa.Tests.Integration;

/// <summary>A client that leaves mid-stream cancels its generation in the runner: the model is free for the next one.</summary>
public sealed class ClientDisconnectThroughRunnerTests(WideModelServerFixture fixture) : IClassFixture<WideModelServerFixture>
{
    /// <summary>How soon the next request must be answered; the abandoned one alone would take far longer.</summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(10);

    private RealServer Server => fixture.Server;

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_frees_the_model_for_the_next_request()
    {
        using (var leaving = Server.NewClient())
        {
            using var cancel = new CancellationTokenSource(RealServer.Bound);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = RealServer.Json(RealServer.ChatBody(model: RealServer.WideModel, extra: WideModelServerFixture.LongAnswer)),
            };
            using var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            response.EnsureSuccessStatusCode();
            using var events = new EventReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            Assert.NotNull(await events.NextAsync(cancel.Token));

            // Leave mid-read, as a closed browser tab would: cancelling the read aborts the connection.
            var reading = ReadOnAsync(events, cancel.Token);
            await Task.Delay(100);
            await cancel.CancelAsync();
            var left = await Record.ExceptionAsync(() => reading);
            Assert.True(left is OperationCanceledException or IOException, $"the read ended with {left?.ToString() ?? "the end of the stream"}");
        }
        var runner = Assert.Single(Server.RunnerPids(Server.WideModelPath));

        // The abandoned answer would run for tens of seconds more (4000 tokens on one thread): had it not been
        // cancelled, this request would wait behind it for the model's only slot.
        var clock = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(Promptly);
        var asking = Answers.CompleteAsync(Server, RealServer.ChatBody(model: RealServer.WideModel, extra: "\"max_tokens\":8,\"ignore_eos\":true"), bound.Token);
        if (await Record.ExceptionAsync(() => asking) is OperationCanceledException)
            Assert.Fail($"the next request got no answer within {Promptly.TotalSeconds:0} s: the abandoned generation still holds the model");
        var next = await asking;

        Assert.True(clock.Elapsed < Promptly, $"the next request took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(8, next.CompletionTokens);
        Assert.Equal([runner], Server.RunnerPids(Server.WideModelPath));
    }

    private static async Task ReadOnAsync(EventReader events, CancellationToken ct)
    {
        while (await events.NextAsync(ct) is not null)
        {
        }
    }
}
