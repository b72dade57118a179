namespace Nexa.Tests.Integration;

/// <summary>max_tokens (and max_completion_tokens) bound llama.cpp's answer in the runner.</summary>
public sealed class MaxTokensThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    public async Task A_small_max_tokens_cuts_the_answer_with_finish_reason_length(int max)
    {
        var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: $"\"max_tokens\":{max},\"ignore_eos\":true,\"seed\":1"));

        Assert.Equal("length", completion.FinishReason);
        Assert.Equal(max, completion.CompletionTokens);
        Assert.NotEmpty(completion.Content);
    }

    [Fact]
    public async Task Max_completion_tokens_is_honoured_too_and_wins_over_max_tokens()
    {
        var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(
            extra: "\"max_tokens\":30,\"max_completion_tokens\":3,\"ignore_eos\":true"));

        Assert.Equal("length", completion.FinishReason);
        Assert.Equal(3, completion.CompletionTokens);
    }

    [Fact]
    public async Task Streamed_answers_honour_max_tokens()
    {
        var answer = await Answers.StreamAsync(Server, RealServer.ChatBody(
            extra: "\"max_tokens\":7,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        Assert.Equal("length", answer.FinishReason);
        Assert.Equal(7, answer.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.InRange(answer.Deltas.Count, 1, 7);
    }

    [Fact]
    public async Task Without_ignore_eos_the_answer_never_exceeds_max_tokens()
    {
        for (var seed = 1; seed <= 4; seed++)
        {
            var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: $"\"max_tokens\":12,\"seed\":{seed}"));

            Assert.InRange(completion.CompletionTokens, 0, 12);
            Assert.Contains(completion.FinishReason, (string[])["stop", "length"]);
            if (completion.FinishReason == "length")
                Assert.Equal(12, completion.CompletionTokens);
        }
    }
}
