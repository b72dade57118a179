using System.Net;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>A plain (non-streamed) chat completion, answered by llama.cpp in a runner process.</summary>
public sealed class ChatCompletionThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task The_seed_curl_body_gets_a_chat_completion_field_by_field()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // The README's curl, exactly, with our model's name.
        const string body = """{"model":"tiny/chat","messages":[{"role":"user","content":"Hello!"}],"max_tokens":64}""";

        using var response = await Server.PostChatAsync(body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString());
        Assert.True(root.GetProperty("id").GetString()!.Length > "chatcmpl-".Length);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.InRange(root.GetProperty("created").GetInt64(), before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(RealServer.Model, root.GetProperty("model").GetString());

        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        var message = choice.GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, message.GetProperty("content").ValueKind);
        var finish = choice.GetProperty("finish_reason").GetString();
        Assert.Contains(finish, (string[])["stop", "length"]);

        var usage = root.GetProperty("usage");
        var prompt = usage.GetProperty("prompt_tokens").GetInt32();
        var completion = usage.GetProperty("completion_tokens").GetInt32();
        Assert.True(prompt > 0, $"prompt_tokens {prompt}");
        Assert.InRange(completion, 0, 64);
        Assert.Equal(prompt + completion, usage.GetProperty("total_tokens").GetInt32());
        if (finish == "length")
            Assert.Equal(64, completion);
    }

    [Fact]
    public async Task Prompt_tokens_count_the_whole_conversation()
    {
        var shortPrompt = await Answers.CompleteAsync(Server, RealServer.ChatBody("Hi", "\"max_tokens\":1"));
        var longPrompt = await Answers.CompleteAsync(Server, $$"""
            {"model":"{{RealServer.Model}}","max_tokens":1,"messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":"Hello there."},
              {"role":"user","content":"Hi"}]}
            """);

        Assert.True(longPrompt.PromptTokens > shortPrompt.PromptTokens + 10,
            $"{longPrompt.PromptTokens} prompt tokens for four messages, {shortPrompt.PromptTokens} for one");
    }

    [Fact]
    public async Task Each_answer_has_its_own_id()
    {
        var first = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":1"));
        var second = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":1"));

        Assert.NotEqual(first.Root.GetProperty("id").GetString(), second.Root.GetProperty("id").GetString());
    }
}
