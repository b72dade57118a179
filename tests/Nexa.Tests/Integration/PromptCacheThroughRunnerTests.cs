using System.Net;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>A follow-up turn reuses the KV cache of the conversation so far, and says how much in usage.</summary>
public sealed class PromptCacheThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    private async Task<JsonElement> ChatAsync(string messages)
    {
        using var response = await Server.PostChatAsync($$"""{"model":"{{RealServer.Model}}","messages":{{messages}},"max_tokens":8,"temperature":0}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task The_next_turn_reports_its_cached_prompt_tokens()
    {
        var first = await ChatAsync("""[{"role":"system","content":"You answer briefly."},{"role":"user","content":"Name a colour."}]""");
        var answer = JsonSerializer.Serialize(first.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var firstPrompt = first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();

        var second = await ChatAsync($$"""[{"role":"system","content":"You answer briefly."},{"role":"user","content":"Name a colour."},{"role":"assistant","content":{{answer}}},{"role":"user","content":"Another one."}]""");

        var usage = second.GetProperty("usage");
        var cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.InRange(cached, firstPrompt - 1, usage.GetProperty("prompt_tokens").GetInt32() - 1);
    }

    [Fact]
    public async Task A_server_started_without_the_prompt_cache_decodes_every_prompt_in_full()
    {
        await using var server = await RealServer.StartAsync(o => o with { PromptCache = false });
        const string body = $$"""{"model":"{{RealServer.Model}}","messages":[{"role":"user","content":"Name a colour."}],"max_tokens":4,"temperature":0}""";

        await Answers.CompleteAsync(server, body);
        var again = await Answers.CompleteAsync(server, body);

        Assert.Equal(0, again.Root.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }
}
