namespace Nexa.Tests.Integration;

/// <summary>Requests that arrive together queue for the runner's slot and each get their own, whole answer.</summary>
public sealed class ConcurrencyThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Eight_concurrent_requests_streamed_and_not_all_complete_with_their_own_answer()
    {
        // Four prompts, each asked twice at once: streamed and not. The same request must give the same text whatever
        // shares its decode steps. Greedy: with --parallel 4 the requests are batched together, which changes the order
        // of float sums in attention, so a sampled answer (temperature > 0) may drift (see TextModelBatchingTests).
        var seeds = Enumerable.Range(1, 4).ToList();
        var plain = seeds.Select(seed => Answers.CompleteAsync(Server, Body(seed, stream: false))).ToList();
        var streamed = seeds.Select(seed => Answers.StreamAsync(Server, Body(seed, stream: true))).ToList();

        await Task.WhenAll(plain.Cast<Task>().Concat(streamed)).WaitAsync(RealServer.Bound);

        for (var i = 0; i < seeds.Count; i++)
        {
            var completion = await plain[i];
            var stream = await streamed[i];
            Assert.StartsWith("chatcmpl-", completion.Root.GetProperty("id").GetString());
            Assert.Equal("length", completion.FinishReason);
            Assert.Equal(16, completion.CompletionTokens);
            Assert.True(stream.Done);
            Assert.Null(stream.Error);
            Assert.Equal("length", stream.FinishReason);
            Assert.Equal(16, stream.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.Equal(completion.Content, stream.Content);
        }
        var ids = plain.Select(t => t.Result.Root.GetProperty("id").GetString()).Concat(streamed.Select(t => t.Result.Chunks[0].GetProperty("id").GetString()));
        Assert.Equal(8, ids.Distinct().Count());
        Assert.Equal(4, plain.Select(t => t.Result.Content).Distinct().Count());
        Assert.Single(Server.RunnerPids());
    }

    private static string Body(int seed, bool stream) =>
        RealServer.ChatBody($"Request {seed}",
            $"\"max_tokens\":16,\"ignore_eos\":true,\"temperature\":0,\"seed\":{seed}" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ""));
}
