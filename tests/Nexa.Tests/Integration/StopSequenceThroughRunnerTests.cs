namespace Nexa.Tests.Integration;

/// <summary>
/// Stop strings end llama.cpp's answer before them, even when the string spans two streamed pieces. The tiny model's
/// answers are gibberish, so each test first asks without a stop, picks a stop from that answer, and asks again with
/// the same seed: the same tokens come, up to the stop.
/// </summary>
public sealed class StopSequenceThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private const string Sampling = "\"max_tokens\":48,\"ignore_eos\":true,\"temperature\":1";

    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Stops_before_a_stop_string_that_spans_two_streamed_deltas()
    {
        var (seed, answer, stop) = await FindSpanningStopAsync();
        var expected = answer[..answer.IndexOf(stop, StringComparison.Ordinal)];

        var completion = await Answers.CompleteAsync(Server, Body(seed, $"\"stop\":{Json(stop)}"));
        var streamed = await Answers.StreamAsync(Server, Body(seed, $"\"stop\":[{Json(stop)}],\"stream\":true"));

        Assert.Equal(expected, completion.Content);
        Assert.Equal("stop", completion.FinishReason);
        Assert.DoesNotContain(stop, completion.Content, StringComparison.Ordinal);
        Assert.Equal(expected, streamed.Content);
        Assert.Equal("stop", streamed.FinishReason);
        Assert.True(streamed.Done);
    }

    [Fact]
    public async Task Several_stops_end_the_answer_at_whichever_comes_first_in_the_text()
    {
        await foreach (var (seed, answer, early) in SpanningStopsAsync())
        {
            var at = answer.IndexOf(early, StringComparison.Ordinal);
            var after = at + early.Length;
            // A stop that first occurs later in the text, listed first: the list's order does not matter, the text's does.
            var later = answer[after..].FirstOrDefault(c => IsPlainAscii(c) && answer.IndexOf(c, StringComparison.Ordinal) >= after);
            if (later == default)
                continue;

            var completion = await Answers.CompleteAsync(Server, Body(seed, $"\"stop\":[{Json(later.ToString())},\"~never~seen~\",{Json(early)}]"));

            Assert.Equal(answer[..at], completion.Content);
            Assert.Equal("stop", completion.FinishReason);
            return;
        }
        Assert.Fail("no seed in 1..30 gave an answer with two usable stops");
    }

    [Fact]
    public async Task A_stop_string_that_never_comes_changes_nothing()
    {
        var plain = await Answers.CompleteAsync(Server, Body(5));
        var withStop = await Answers.CompleteAsync(Server, Body(5, "\"stop\":[\"~never~seen~\"]"));

        Assert.Equal(plain.Content, withStop.Content);
        Assert.Equal("length", withStop.FinishReason);
        Assert.Equal(48, withStop.CompletionTokens);
    }

    [Fact]
    public async Task Text_held_back_as_a_possible_stop_is_still_sent_when_the_answer_ends()
    {
        // The answer's last character begins a stop string that never completes: the engine must hold it back while
        // the stop might still come, and hand it over when max_tokens ends the answer.
        for (var seed = 1; seed <= 30; seed++)
        {
            var plain = await Answers.CompleteAsync(Server, Body(seed));
            if (plain.Content.Length == 0 || !IsPlainAscii(plain.Content[^1]))
                continue;
            var stop = plain.Content[^1] + "~never~";

            var completion = await Answers.CompleteAsync(Server, Body(seed, $"\"stop\":[{Json(stop)}]"));
            var streamed = await Answers.StreamAsync(Server, Body(seed, $"\"stop\":[{Json(stop)}],\"stream\":true"));

            Assert.Equal(plain.Content, completion.Content);
            Assert.Equal("length", completion.FinishReason);
            Assert.Equal(plain.Content, streamed.Content);
            Assert.Equal("length", streamed.FinishReason);
            return;
        }
        Assert.Fail("no seed in 1..30 gave an answer that ends in printable ASCII");
    }

    private async Task<(int Seed, string Answer, string Stop)> FindSpanningStopAsync()
    {
        await foreach (var found in SpanningStopsAsync())
            return found;
        Assert.Fail("no seed in 1..30 gave two deltas that meet at printable ASCII");
        return default;
    }

    /// <summary>
    /// Seeds whose streamed answer has two neighbouring deltas that meet at printable ASCII (the byte-level gibberish
    /// elsewhere may hold half a UTF-8 character), with the two characters around that boundary as the stop.
    /// </summary>
    private async IAsyncEnumerable<(int Seed, string Answer, string Stop)> SpanningStopsAsync()
    {
        for (var seed = 1; seed <= 30; seed++)
        {
            var streamed = await Answers.StreamAsync(Server, Body(seed, "\"stream\":true"));
            var deltas = streamed.Deltas;
            for (var i = 0; i + 1 < deltas.Count; i++)
            {
                if (!IsPlainAscii(deltas[i][^1]) || !IsPlainAscii(deltas[i + 1][0]))
                    continue;
                var stop = $"{deltas[i][^1]}{deltas[i + 1][0]}";
                // The stop must first occur right there, across the boundary, not earlier in the answer.
                var boundary = deltas.Take(i + 1).Sum(d => d.Length) - 1;
                if (boundary > 0 && streamed.Content.IndexOf(stop, StringComparison.Ordinal) == boundary)
                    yield return (seed, streamed.Content, stop);
            }
        }
    }

    private static bool IsPlainAscii(char c) => c is >= '!' and <= '~';

    private static string Body(int seed, string extra = "") =>
        RealServer.ChatBody("Tell me a story", $"{Sampling},\"seed\":{seed}{(extra.Length > 0 ? "," + extra : "")}");

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
