using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>Streamed answers from llama.cpp in a runner process, as OpenAI's server-sent events.</summary>
public sealed class ChatStreamingThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Streaming_chunks_have_openai_shape()
    {
        var answer = await Answers.StreamAsync(Server, RealServer.ChatBody(
            extra: "\"max_tokens\":24,\"seed\":3,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        Assert.True(answer.Done, "the stream ends with data: [DONE]");
        Assert.Null(answer.Error);
        var chunks = answer.Chunks;
        var id = chunks[0].GetProperty("id").GetString();
        Assert.StartsWith("chatcmpl-", id);
        foreach (var chunk in chunks)
        {
            Assert.Equal(id, chunk.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(RealServer.Model, chunk.GetProperty("model").GetString());
            Assert.Equal(chunks[0].GetProperty("created").GetInt64(), chunk.GetProperty("created").GetInt64());
        }

        var choiceChunks = answer.ChoiceChunks.Select(c => Assert.Single(c.GetProperty("choices").EnumerateArray())).ToList();
        Assert.Equal("assistant", choiceChunks[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.All(choiceChunks.Skip(1), c => Assert.False(c.GetProperty("delta").TryGetProperty("role", out _)));
        Assert.All(choiceChunks[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));
        Assert.Equal("length", choiceChunks[^1].GetProperty("finish_reason").GetString());
        Assert.NotEmpty(answer.Deltas);

        // include_usage: one more chunk, with no choices and the usage, right before [DONE].
        var usageChunk = chunks[^1];
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        var usage = usageChunk.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal(24, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 24, usage.GetProperty("total_tokens").GetInt32());
        Assert.All(chunks.SkipLast(1), c => Assert.False(c.TryGetProperty("usage", out var u) && u.ValueKind != JsonValueKind.Null));
    }

    [Fact]
    public async Task Without_include_usage_no_usage_chunk_is_sent()
    {
        var answer = await Answers.StreamAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":4,\"stream\":true"));

        Assert.True(answer.Done);
        Assert.All(answer.Chunks, c => Assert.Single(c.GetProperty("choices").EnumerateArray()));
        Assert.All(answer.Chunks, c => Assert.False(c.TryGetProperty("usage", out var u) && u.ValueKind != JsonValueKind.Null));
        Assert.Contains(answer.FinishReason, (string[])["stop", "length"]);
    }

    [Theory]
    [InlineData("\"temperature\":0")]
    [InlineData("\"temperature\":1,\"seed\":11")]
    public async Task Streamed_deltas_add_up_to_the_non_streamed_answer(string sampling)
    {
        var body = RealServer.ChatBody(extra: $"\"max_tokens\":32,\"ignore_eos\":true,{sampling}");
        var whole = await Answers.CompleteAsync(Server, body);
        var streamed = await Answers.StreamAsync(Server, RealServer.ChatBody(
            extra: $"\"max_tokens\":32,\"ignore_eos\":true,{sampling},\"stream\":true,\"stream_options\":{{\"include_usage\":true}}"));

        Assert.NotEmpty(whole.Content);
        Assert.Equal(whole.Content, streamed.Content);
        Assert.Equal(whole.FinishReason, streamed.FinishReason);
        Assert.Equal(whole.CompletionTokens, streamed.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(whole.PromptTokens, streamed.Chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }
}
