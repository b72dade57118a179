using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class ChatCompletionTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Answers_with_a_chat_completion_object_field_by_field()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(content: "Hello there"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await Wire.JsonAsync(response);
        Assert.StartsWith("chatcmpl-", body.Str("id"));
        Assert.Equal("chat.completion", body.Str("object"));
        var created = body.GetProperty("created").GetInt64();
        Assert.InRange(created, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(ServerHarness.ChatModel, body.Str("model"));

        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("stop", choice.Str("finish_reason"));
        var message = choice.GetProperty("message");
        Assert.Equal("assistant", message.Str("role"));
        Assert.Equal("You said: Hello there", message.Str("content"));
        Assert.False(message.TryGetProperty("reasoning_content", out _));

        var usage = body.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task The_seeds_request_bodies_work_as_written()
    {
        // Verbatim from seed/nexa-rest-api.md: the "Request body" example and the macOS curl body.
        const string example = """
            {
              "model": "NexaAI/Qwen3-0.6B-GGUF",
              "messages": [
                {"role": "user", "content": "Hello! Briefly introduce yourself."}
              ],
              "max_tokens": 256,
              "temperature": 0.7,
              "stream": false
            }
            """;
        const string curl = """
            {
                  "model": "NexaAI/Qwen3-0.6B-GGUF",
                  "messages": [{"role":"user","content":"Hello!"}],
                  "max_tokens": 64
                }
            """;
        // The Windows (cmd) curl body, once cmd has removed its escapes.
        const string windows = """{"model": "NexaAI/Qwen3-0.6B-GGUF", "messages": [{"role": "user", "content": "Hello!"}], "max_tokens": 64}""";
        foreach (var (body, answer) in new[] { (example, "You said: Hello! Briefly introduce yourself."), (curl, "You said: Hello!"), (windows, "You said: Hello!") })
        {
            using var response = await _server.PostChatAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await Wire.JsonAsync(response);
            Assert.Equal("NexaAI/Qwen3-0.6B-GGUF", json.Str("model"));
            Assert.Equal(answer, json.GetProperty("choices")[0].GetProperty("message").Str("content"));
        }
        var request = _server.Launcher.ModelsOf(ServerHarness.SeedModel).Single().Requests[0];
        Assert.Equal(256, request.MaxTokens);
        Assert.Equal(0.7f, request.Sampling.Temperature);
    }

    [Fact]
    public async Task Max_tokens_ends_the_answer_with_finish_reason_length()
    {
        foreach (var field in new[] { "max_tokens", "max_completion_tokens" })
        {
            using var response = await _server.PostChatAsync(ServerHarness.ChatBody(content: "one two three", extra: $"\"{field}\":2"));
            var choice = (await Wire.JsonAsync(response)).GetProperty("choices")[0];
            Assert.Equal("You said:", choice.GetProperty("message").Str("content"));
            Assert.Equal("length", choice.Str("finish_reason"));
        }
    }

    [Fact]
    public async Task A_stop_string_ends_the_answer_before_it()
    {
        foreach (var stop in new[] { "\"three\"", "[\"zzz\",\"three\"]" })
        {
            using var response = await _server.PostChatAsync(ServerHarness.ChatBody(content: "one two three four", extra: $"\"stop\":{stop}"));
            var choice = (await Wire.JsonAsync(response)).GetProperty("choices")[0];
            Assert.Equal("You said: one two ", choice.GetProperty("message").Str("content"));
            Assert.Equal("stop", choice.Str("finish_reason"));
        }
    }

    [Fact]
    public async Task Thinking_comes_back_as_reasoning_content()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(content: "hi", extra: "\"enable_think\":true"));

        var message = (await Wire.JsonAsync(response)).GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Thinking it over.", message.Str("reasoning_content"));
        Assert.Equal("You said: hi", message.Str("content"));
    }

    [Fact]
    public async Task Content_parts_are_read_as_text_and_roles_mapped()
    {
        const string body = """
            {"model":"test/chat","messages":[
              {"role":"developer","content":"Be brief."},
              {"role":"user","content":[{"type":"text","text":"first part"},{"type":"text","text":"second"}]},
              {"role":"assistant","content":null},
              {"role":"user","content":[{"type":"text","text":"last question"}]}]}
            """;
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = _server.Launcher.ModelsOf(ServerHarness.ChatModel).Single().Requests.Single();
        Assert.Equal(["system", "user", "assistant", "user"], request.Messages.Select(m => m.Role));
        Assert.Equal("first part\nsecond", request.Messages[1].Content);
        Assert.Equal("", request.Messages[2].Content);
    }

    [Fact]
    public async Task Sampling_settings_reach_the_engine()
    {
        const string extra = """
            "temperature":0.2,"top_p":0.5,"top_k":7,"min_p":0.1,"repetition_penalty":1.3,"presence_penalty":0.5,
            "frequency_penalty":-0.5,"seed":42,"logit_bias":{"15":-100,"7":2.5},"ignore_eos":true,"max_tokens":4,
            "n":1,"stop":["END"],"response_format":{"type":"text"},"tools":[],"tool_choice":"none","user":"ignored","unknown_field":{"a":1}
            """;
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(extra: extra));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = _server.Launcher.ModelsOf(ServerHarness.ChatModel).Single().Requests.Single();
        var sampling = request.Sampling;
        Assert.Equal(0.2f, sampling.Temperature);
        Assert.Equal(0.5f, sampling.TopP);
        Assert.Equal(7, sampling.TopK);
        Assert.Equal(0.1f, sampling.MinP);
        Assert.Equal(1.3f, sampling.RepetitionPenalty);
        Assert.Equal(0.5f, sampling.PresencePenalty);
        Assert.Equal(-0.5f, sampling.FrequencyPenalty);
        Assert.Equal(42u, sampling.Seed);
        Assert.Equal(-100f, sampling.LogitBias[15]);
        Assert.Equal(2.5f, sampling.LogitBias[7]);
        Assert.True(request.IgnoreEos);
        Assert.False(request.EnableThinking);
        Assert.Equal(4, request.MaxTokens);
        Assert.Equal(["END"], request.Stop);
    }

    [Fact]
    public async Task Launches_the_chosen_quant_with_the_servers_engine_options()
    {
        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/chat:q4_0")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/chat")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Both name the same quant, so one model is loaded for both.
        var model = Assert.Single(_server.Launcher.Models);
        Assert.EndsWith(Path.Combine("test", "chat", "chat-Q4_0.gguf"), model.Start.ModelPath);
        Assert.Null(model.Start.MMProjPath);
        // --ctx-size is per request: the chat model's KV cache holds it for each of the 4 (default) slots.
        Assert.Equal(1024 * 4, model.Start.Options.ContextSize);
        Assert.Equal(2, model.Start.Options.Threads);
        Assert.Equal(4, model.Start.Options.Parallel);
    }

    [Fact]
    public async Task A_body_sent_without_a_json_content_type_is_still_read_as_json()
    {
        // curl -d without -H sends application/x-www-form-urlencoded.
        using var response = await _server.Http.PostAsync("/v1/chat/completions",
            new StringContent(ServerHarness.ChatBody(), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_nexa_keep_cache_header_is_accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(ServerHarness.ChatBody(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Nexa-KeepCache", "true");
        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unicode_and_escapes_survive_the_round_trip()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(content: "h\\u00e9llo \\\"q\\\" 你好"));

        var content = (await Wire.JsonAsync(response)).GetProperty("choices")[0].GetProperty("message").Str("content");
        Assert.Equal("You said: héllo \"q\" 你好", content);
    }
}
