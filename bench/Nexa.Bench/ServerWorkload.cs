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
        double? predictedMs = null;
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

            if (json.RootElement.TryGetProperty("timings", out var timings) && timings.ValueKind == JsonValueKind.Object)
                predictedMs = timings.GetProperty("predicted_ms").GetDouble();
        }

        // The first token is when the engine produced it: the client's clock less the engine's time generating the
        // rest (llama-server's timings). The first text can come later than that: the answer filters hold back
        // leading whitespace and what may begin a stop string or a <think> tag, and this random model sometimes
        // answers with such pieces for a while.
        var total = clock.Elapsed;
        var produced = predictedMs is { } ms ? total - TimeSpan.FromMilliseconds(ms) : total;
        var firstToken = first is { } seen && seen < produced ? seen : produced;
        return new Completion(prompt, completion, firstToken, total) { Text = text.ToString(), CachedTokens = cached };
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
