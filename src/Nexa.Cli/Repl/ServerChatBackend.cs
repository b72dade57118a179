using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Nexa.Engine.Text;

namespace Nexa.Cli.Repl;

/// <summary>
/// `nexa run`: every turn is a streaming /v1/chat/completions request to a running `nexa serve`, read as
/// server-sent events, as any OpenAI client would. The CLI is just another client of the HTTP API.
/// </summary>
internal sealed class ServerChatBackend : IChatBackend
{
    private static readonly (string Property, bool IsReasoning)[] DeltaFields = [("reasoning_content", true), ("content", false)];
    private readonly HttpClient _http;
    private readonly string _model;

    private ServerChatBackend(HttpClient http, string model)
    {
        _http = http;
        _model = model;
    }

    public static Uri BaseAddress(Func<string, string?> variable)
    {
        var host = variable("NEXA_HOST");
        host = string.IsNullOrWhiteSpace(host) ? "127.0.0.1:18181" : host.Trim();
        if (!host.Contains("://", StringComparison.Ordinal))
            host = "http://" + host;
        return new Uri(host.TrimEnd('/') + "/");
    }

    /// <summary>
    /// Checks the server has the model (404 → what the server suggests), then warms it up (loads it) with a chat
    /// without messages: a system prompt alone would be answered like any chat.
    /// </summary>
    public static async Task<ServerChatBackend> ConnectAsync(string model, CliEnvironment env, CancellationToken ct)
    {
        var baseAddress = BaseAddress(env.Variable);
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (env.Variable("NEXA_API_KEY") is { Length: > 0 } key)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var check = await http.GetAsync($"v1/models/{model}", ct);
            // The server's own words: the nearest pulled names, or the spellings a name matches ignoring case.
            if (check.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
                throw new CliException($"the server has no model {model}: {await ErrorMessageAsync(check, ct)}");
            if (check.StatusCode == HttpStatusCode.Unauthorized)
                throw new CliException($"the server at {baseAddress} wants an API key: set NEXA_API_KEY");
            check.EnsureSuccessStatusCode();

            await env.Error.WriteLineAsync($"loading {model}…");
            using var warmUp = await http.PostAsync("v1/chat/completions", Json(w =>
            {
                w.WriteString("model", model);
                w.WriteStartArray("messages");
                w.WriteEndArray();
            }), ct);
            if (!warmUp.IsSuccessStatusCode)
                throw new CliException($"the server could not load {model}: {await ErrorMessageAsync(warmUp, ct)}");
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            http.Dispose();
            throw new CliException($"no nexa server answers at {baseAddress} ({e.Message}); start one with: nexa serve");
        }
        catch
        {
            http.Dispose();
            throw;
        }
        return new ServerChatBackend(http, model);
    }

    public async IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Body(request) };
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new EngineException(EngineErrorKind.InvalidRequest, await ErrorMessageAsync(response, ct));

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        TimeSpan? firstToken = null;
        var finish = FinishReason.Stop;
        int prompt = 0, completion = 0;
        TimeSpan? engineFirstToken = null, engineElapsed = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
                continue;
            var data = line[5..].Trim();
            if (data == "[DONE]")
                break;
            using var json = JsonDocument.Parse(data);
            var root = json.RootElement;
            if (root.TryGetProperty("error", out var error))
                throw new EngineException(EngineErrorKind.Internal, error.TryGetProperty("message", out var m) ? m.GetString() ?? "error" : "error");
            if (root.TryGetProperty("timings", out var timings) && timings.ValueKind == JsonValueKind.Object)
            {
                // The engine's own clock: a client's chunk arrival times are bunched by buffering.
                engineFirstToken = TimeSpan.FromMilliseconds(timings.GetProperty("prompt_ms").GetDouble());
                engineElapsed = engineFirstToken + TimeSpan.FromMilliseconds(timings.GetProperty("predicted_ms").GetDouble());
            }
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                prompt = usage.GetProperty("prompt_tokens").GetInt32();
                completion = usage.GetProperty("completion_tokens").GetInt32();
            }
            if (!root.TryGetProperty("choices", out var choices))
                continue;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                    finish = reason.GetString() == "length" ? FinishReason.Length : FinishReason.Stop;
                if (!choice.TryGetProperty("delta", out var delta))
                    continue;
                foreach (var (property, reasoning) in DeltaFields)
                {
                    if (delta.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } piece)
                    {
                        firstToken ??= clock.Elapsed;
                        yield return new TextDelta(piece, reasoning);
                    }
                }
            }
        }
        yield return engineElapsed is { } elapsed
            ? new GenerationFinished(finish, prompt, completion, engineFirstToken!.Value, elapsed)
            : new GenerationFinished(finish, prompt, completion, firstToken ?? clock.Elapsed, clock.Elapsed);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private StringContent Body(ChatRequest request) => Json(w =>
    {
        var s = request.Sampling;
        w.WriteString("model", _model);
        w.WriteBoolean("stream", true);
        w.WriteStartObject("stream_options");
        w.WriteBoolean("include_usage", true);
        w.WriteEndObject();
        w.WriteStartArray("messages");
        foreach (var m in request.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            if (m.Images.Count == 0)
                w.WriteString("content", m.Content);
            else
                WriteParts(w, m);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (request.MaxTokens is { } max)
            w.WriteNumber("max_tokens", max);
        if (request.Stop.Count > 0)
        {
            w.WriteStartArray("stop");
            foreach (var stop in request.Stop)
                w.WriteStringValue(stop);
            w.WriteEndArray();
        }
        w.WriteNumber("temperature", s.Temperature);
        w.WriteNumber("top_p", s.TopP);
        w.WriteNumber("top_k", s.TopK);
        w.WriteNumber("min_p", s.MinP);
        w.WriteNumber("repetition_penalty", s.RepetitionPenalty);
        w.WriteNumber("presence_penalty", s.PresencePenalty);
        w.WriteNumber("frequency_penalty", s.FrequencyPenalty);
        if (s.Seed is { } seed)
            w.WriteNumber("seed", seed);
        if (request.EnableThinking)
            w.WriteBoolean("enable_think", true);
        if (!string.IsNullOrEmpty(request.Grammar))
            w.WriteString("grammar", request.Grammar);
        if (request.JsonSchema is { } schema)
            WriteResponseFormat(w, schema);
    });

    // --enable-json, the only schema the CLI asks for, is OpenAI's json_object; another would need json_schema.
    private static void WriteResponseFormat(Utf8JsonWriter w, string schema)
    {
        if (schema != ChatFlags.JsonObjectSchema)
            throw new ArgumentException($"nexa run sends only the json_object schema, not {schema}", nameof(schema));
        w.WriteStartObject("response_format");
        w.WriteString("type", "json_object");
        w.WriteEndObject();
    }

    // Text and image parts in their order: each image (already checked and shrunk here) as a data: URI where it sits.
    // The server joins text parts with "\n", so a prompt split around an image gains a line break there.
    private static void WriteParts(Utf8JsonWriter w, ChatMessage message)
    {
        w.WriteStartArray("content");
        var from = 0;
        foreach (var image in message.Images)
        {
            WriteText(w, message.Content[from..image.Position]);
            w.WriteStartObject();
            w.WriteString("type", "image_url");
            w.WriteStartObject("image_url");
            w.WriteString("url", "data:image/png;base64," + Convert.ToBase64String(image.Data));
            w.WriteEndObject();
            w.WriteEndObject();
            from = image.Position;
        }
        WriteText(w, message.Content[from..]);
        w.WriteEndArray();
    }

    private static void WriteText(Utf8JsonWriter w, string text)
    {
        if (text.Trim().Length == 0)
            return;
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", text.Trim());
        w.WriteEndObject();
    }

    private static StringContent Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return new StringContent(Encoding.UTF8.GetString(buffer.ToArray()), Encoding.UTF8, "application/json");
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
                return message.GetString() ?? body;
        }
        catch (JsonException)
        {
        }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}: {body}";
    }
}
