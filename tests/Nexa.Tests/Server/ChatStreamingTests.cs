using System.Net;
using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class ChatStreamingTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Streams_server_sent_chunks_as_openai_does()
    {
        using var response = await _server.SendChatAsync(ServerHarness.ChatBody(content: "one two", extra: "\"stream\":true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        var events = await Wire.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();

        var id = chunks[0].Str("id");
        Assert.StartsWith("chatcmpl-", id);
        foreach (var chunk in chunks)
        {
            Assert.Equal(id, chunk.Str("id"));
            Assert.Equal("chat.completion.chunk", chunk.Str("object"));
            Assert.Equal(ServerHarness.ChatModel, chunk.Str("model"));
            Assert.Equal(chunks[0].GetProperty("created").GetInt64(), chunk.GetProperty("created").GetInt64());
            Assert.False(chunk.TryGetProperty("usage", out _));
            var choice = Assert.Single(chunk.GetProperty("choices").EnumerateArray());
            Assert.Equal(0, choice.GetProperty("index").GetInt32());
        }

        var first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").Str("role"));
        Assert.Equal("", first.GetProperty("delta").Str("content"));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finish_reason").ValueKind);

        var middle = chunks[1..^1].Select(c => c.GetProperty("choices")[0]).ToList();
        Assert.Equal(["You", " said:", " one", " two"], middle.Select(c => c.GetProperty("delta").Str("content")));
        Assert.All(middle, c => Assert.False(c.GetProperty("delta").TryGetProperty("role", out _)));
        Assert.All(middle, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));

        var last = chunks[^1].GetProperty("choices")[0];
        Assert.Equal("stop", last.Str("finish_reason"));
        Assert.Empty(last.GetProperty("delta").EnumerateObject());
    }

    [Fact]
    public async Task The_last_choice_chunk_carries_the_engines_timings_as_llama_server_does()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(
            extra: "\"stream\":true,\"max_tokens\":3,\"stream_options\":{\"include_usage\":true}"));

        var events = await Wire.EventsAsync(response);
        var usage = JsonDocument.Parse(events[^2]).RootElement.GetProperty("usage");
        var timings = JsonDocument.Parse(events[^3]).RootElement.GetProperty("timings");
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), timings.GetProperty("predicted_n").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), timings.GetProperty("prompt_n").GetInt32());
        Assert.True(timings.GetProperty("prompt_ms").GetDouble() >= 0);
        Assert.True(timings.GetProperty("predicted_per_second").GetDouble() >= 0);
        Assert.False(JsonDocument.Parse(events[^4]).RootElement.TryGetProperty("timings", out _));
    }

    [Fact]
    public async Task Include_usage_adds_a_usage_chunk_before_done()
    {
        using var response = await _server.SendChatAsync(ServerHarness.ChatBody(content: "one two three",
            extra: "\"stream\":true,\"max_tokens\":3,\"stream_options\":{\"include_usage\":true}"));

        var events = await Wire.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var usageChunk = JsonDocument.Parse(events[^2]).RootElement;
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        var usage = usageChunk.GetProperty("usage");
        Assert.Equal(4, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("total_tokens").GetInt32());
        var finish = JsonDocument.Parse(events[^3]).RootElement.GetProperty("choices")[0];
        Assert.Equal("length", finish.Str("finish_reason"));
    }

    [Fact]
    public async Task Thinking_streams_as_reasoning_content_deltas()
    {
        using var response = await _server.SendChatAsync(ServerHarness.ChatBody(content: "hi", extra: "\"stream\":true,\"enable_think\":true"));

        var deltas = (await Wire.EventsAsync(response))[..^1]
            .Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("delta"))
            .ToList();
        Assert.Equal("Thinking it over.", deltas[1].Str("reasoning_content"));
        Assert.False(deltas[1].TryGetProperty("content", out _));
        Assert.Equal("You said: hi", string.Concat(deltas.Select(d => d.Str("content"))));
    }

    [Fact]
    public async Task A_failure_after_streaming_began_ends_with_an_error_event()
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.Internal, "decode failed"), FakeLauncher.FailAt.AfterFirstToken);

        using var response = await _server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await Wire.EventsAsync(response);
        Assert.DoesNotContain("[DONE]", events);
        var error = JsonDocument.Parse(events[^1]).RootElement.GetProperty("error");
        Assert.Equal("decode failed", error.Str("message"));
        Assert.Equal("server_error", error.Str("type"));
        Assert.Equal("You", JsonDocument.Parse(events[^2]).RootElement.GetProperty("choices")[0].GetProperty("delta").Str("content"));
    }

    [Fact]
    public async Task A_refusal_before_the_first_token_keeps_its_http_status()
    {
        _server.Launcher.FailNextGeneration(new EngineException(EngineErrorKind.InvalidRequest, "prompt is longer than the context", "context_length_exceeded", "messages"));

        using var response = await _server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
    }
}
