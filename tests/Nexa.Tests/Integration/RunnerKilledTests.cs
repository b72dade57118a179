using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>
/// A runner killed with SIGKILL (the OOM killer, a native crash) costs at most the answer it was streaming: that stream
/// ends with an error event instead of [DONE], and the next request gets a fresh runner.
/// </summary>
public sealed class RunnerKilledTests(WideModelServerFixture fixture) : IClassFixture<WideModelServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Killed_mid_stream_the_stream_ends_with_an_error_event_and_the_next_request_gets_a_fresh_runner()
    {
        using var cancel = new CancellationTokenSource(RealServer.Bound);
        using var response = await Server.SendChatAsync(RealServer.ChatBody(model: RealServer.WideModel, extra: WideModelServerFixture.LongAnswer), cancel.Token);
        response.EnsureSuccessStatusCode();
        using var events = new EventReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var first = await events.NextAsync(cancel.Token);
        Assert.NotNull(first);
        Assert.Equal("assistant", JsonDocument.Parse(first).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());

        var killed = Assert.Single(Server.RunnerPids(Server.WideModelPath));
        RunnerProcesses.Kill(killed);

        var rest = new List<string>();
        while (await events.NextAsync(cancel.Token) is { } data)
            rest.Add(data);
        Assert.NotEmpty(rest);
        Assert.DoesNotContain("[DONE]", rest);
        var last = JsonDocument.Parse(rest[^1]).RootElement;
        var error = last.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal("runner_crashed", error.GetProperty("code").GetString());
        // Everything before the error was an ordinary chunk; none finished the answer.
        Assert.All(rest[..^1], e => Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));

        var next = await Answers.CompleteAsync(Server, RealServer.ChatBody(model: RealServer.WideModel, extra: "\"max_tokens\":4,\"ignore_eos\":true"));

        Assert.Equal(4, next.CompletionTokens);
        var fresh = Assert.Single(Server.RunnerPids(Server.WideModelPath));
        Assert.NotEqual(killed, fresh);
        Assert.False(RunnerProcesses.IsAlive(killed));
    }

    [Fact]
    public async Task Killed_while_idle_it_is_replaced_before_a_request_fails_on_it()
    {
        await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":2"));
        var killed = Assert.Single(Server.RunnerPids());
        RunnerProcesses.Kill(killed);
        await Poll.UntilAsync(() => RunnerProcesses.IsGone(killed), "the killed runner to be reaped");

        var next = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":3,\"ignore_eos\":true"));

        Assert.Equal(3, next.CompletionTokens);
        Assert.NotEqual(killed, Assert.Single(Server.RunnerPids()));
    }
}
