using System.Net;
using System.Text;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>A <c>chat.completion</c> as a client reads it.</summary>
public sealed record Completion(JsonElement Root)
{
    public JsonElement Choice => Root.GetProperty("choices")[0];
    public string Content => Choice.GetProperty("message").GetProperty("content").GetString()!;
    public string FinishReason => Choice.GetProperty("finish_reason").GetString()!;
    public int PromptTokens => Root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
    public int CompletionTokens => Root.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
    public int TotalTokens => Root.GetProperty("usage").GetProperty("total_tokens").GetInt32();
}

/// <summary>
/// A streamed answer read to its end: the JSON chunks in order, whether <c>[DONE]</c> came, and the error event when
/// the stream ended with one instead.
/// </summary>
public sealed record StreamedAnswer(IReadOnlyList<JsonElement> Chunks, bool Done, JsonElement? Error)
{
    public IEnumerable<JsonElement> ChoiceChunks => Chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0);

    /// <summary>The content of each delta that carried some, in order.</summary>
    public IReadOnlyList<string> Deltas =>
    [
        .. ChoiceChunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out var text) && text.GetString() is { Length: > 0 })
            .Select(d => d.GetProperty("content").GetString()!),
    ];

    public string Content => string.Concat(Deltas);

    public string? FinishReason => ChoiceChunks.Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason"))
        .LastOrDefault(f => f.ValueKind == JsonValueKind.String).GetString();
}

/// <summary>Sends chat requests and reads their answers the way an OpenAI client does.</summary>
public static class Answers
{
    /// <summary>Posts a non-streamed chat request, asserts 200, returns the completion.</summary>
    public static async Task<Completion> CompleteAsync(RealServer server, string body, CancellationToken ct = default)
    {
        using var response = await server.PostChatAsync(body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return new Completion(json.RootElement.Clone());
    }

    /// <summary>Posts a streamed chat request, asserts 200 and an event stream, reads it to the end.</summary>
    public static async Task<StreamedAnswer> StreamAsync(RealServer server, string body, CancellationToken ct = default)
    {
        using var response = await server.SendChatAsync(body, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            Assert.Fail($"expected 200, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync(ct));
        var chunks = new List<JsonElement>();
        JsonElement? error = null;
        var done = false;
        while (await events.NextAsync(ct) is { } data)
        {
            Assert.False(done || error is not null, $"an event after the end of the stream: {data}");
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }
            using var json = JsonDocument.Parse(data);
            if (json.RootElement.TryGetProperty("error", out var e))
                error = e.Clone();
            else
                chunks.Add(json.RootElement.Clone());
        }
        return new StreamedAnswer(chunks, done, error);
    }
}

/// <summary>Reads server-sent events one at a time: each <c>data:</c> payload, null at the end of the stream.</summary>
public sealed class EventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<string?> NextAsync(CancellationToken ct = default)
    {
        while (await _reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                return line["data: ".Length..];
            Assert.Equal("", line);
        }
        return null;
    }

    public void Dispose() => _reader.Dispose();
}
