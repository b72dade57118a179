using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Nexa.Bench;

/// <summary>The benchmark's requests to `nexa serve`: streamed chat completions that ignore EOS, timed on the client.</summary>
internal sealed class ServerWorkload(HttpClient http, string model)
{
    public static object User(string content) => new { role = "user", content };

    public static object Assistant(string content) => new { role = "assistant", content };

    public async Task<Completion> CompleteAsync(IReadOnlyList<object> messages, int maxTokens)
    {
        var body = new
        {
            model,
            messages,
            max_tokens = maxTokens,
            temperature = 0,
            ignore_eos = true,
            // This random model's ChatML control tokens and the half-character " ж" piece (ids 256–259) render as
            // no text: an answer stuck on them would show its first text only at its end, and the client-side
            // time to first token would measure the whole answer.
            logit_bias = new Dictionary<string, int> { ["256"] = -100, ["257"] = -100, ["258"] = -100, ["259"] = -100 },
            stream = true,
            stream_options = new { include_usage = true },
        };
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        TimeSpan? first = null;
        int prompt = 0, completion = 0, cached = 0;
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                continue;
            using var json = JsonDocument.Parse(line[6..]);
            if (json.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                prompt = usage.GetProperty("prompt_tokens").GetInt32();
                completion = usage.GetProperty("completion_tokens").GetInt32();
                if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
                    cached = details.GetProperty("cached_tokens").GetInt32();
            }
            else if (json.RootElement.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 })
            {
                first ??= clock.Elapsed;
                text.Append(c.GetString());
            }
        }

        return new Completion(prompt, completion, first ?? clock.Elapsed, clock.Elapsed) { Text = text.ToString(), CachedTokens = cached };
    }

    /// <summary>
    /// <paramref name="streams"/> requests at once: their aggregate decode tokens/s, the sum of each stream's decode
    /// rate after its first token (prefill left out, as llama-server's per-slot timings do). The streams decode side by
    /// side, so the sum is what the model turns out per second while they all run.
    /// </summary>
    public async Task<double> ConcurrentAsync(IReadOnlyList<object> messages, int streams, int maxTokens)
    {
        var done = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => CompleteAsync(messages, maxTokens)));
        return done.Sum(d => d.DecodeTokensPerSecond);
    }
}
