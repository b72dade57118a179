using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>--max-models: at most that many models resident; the least recently used idle one makes room.</summary>
public sealed class ModelBudgetTests
{
    [Fact]
    public async Task Over_the_budget_the_least_recently_used_idle_model_is_unloaded()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MaxModels = 2 });

        await ChatAsync(server, "test/alpha");
        await ChatAsync(server, "test/beta");
        await ChatAsync(server, "test/alpha");
        await ChatAsync(server, "test/gamma");

        var beta = Assert.Single(server.Launcher.ModelsOf("test/beta"));
        Assert.True(beta.IsDisposed);
        Assert.False(Assert.Single(server.Launcher.ModelsOf("test/alpha")).IsDisposed);
        Assert.False(Assert.Single(server.Launcher.ModelsOf("test/gamma")).IsDisposed);
        var health = await Wire.JsonAsync(await server.Http.GetAsync("/health"));
        Assert.Equal(["test/alpha:Q4_0", "test/gamma:Q4_0"], health.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_request_for_another_model_waits_while_the_only_slot_is_busy()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MaxModels = 1 });
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var busy = await server.SendChatAsync(ServerHarness.ChatBody(model: "test/alpha", extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":10"));
        var other = server.PostChatAsync(ServerHarness.ChatBody(model: "test/beta"));

        await Wire.EventsAsync(busy);
        using var response = await other;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Assert.Single(server.Launcher.ModelsOf("test/alpha")).IsDisposed);
        Assert.False(Assert.Single(server.Launcher.ModelsOf("test/beta")).IsDisposed);
    }

    // The fake models' files are 4 bytes and no GGUF the estimate can read (no KV cache), so each counts for the
    // runner allowance alone: 250 MiB. A 600 MiB budget holds two of them, not three.
    [Fact]
    public async Task Over_the_memory_budget_the_least_recently_used_idle_model_is_unloaded()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MaxModels = 8, MemoryBudgetBytes = 600L << 20 });

        await ChatAsync(server, "test/alpha");
        await ChatAsync(server, "test/beta");
        await ChatAsync(server, "test/alpha");
        await ChatAsync(server, "test/gamma");

        Assert.True(Assert.Single(server.Launcher.ModelsOf("test/beta")).IsDisposed);
        Assert.False(Assert.Single(server.Launcher.ModelsOf("test/alpha")).IsDisposed);
        var health = await Wire.JsonAsync(await server.Http.GetAsync("/health"));
        Assert.Equal(["test/alpha:Q4_0", "test/gamma:Q4_0"], health.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(600L << 20, health.GetProperty("memory_budget_bytes").GetInt64());
        Assert.Equal(2 * ((250L << 20) + 4), health.GetProperty("estimated_bytes").GetInt64());
    }

    [Fact]
    public async Task A_model_larger_than_the_whole_memory_budget_answers_503_and_loads_nothing()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MemoryBudgetBytes = 100L << 20 });

        using var response = await server.PostChatAsync(ServerHarness.ChatBody(model: "test/alpha"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = (await Wire.JsonAsync(response)).GetProperty("error");
        Assert.Equal("insufficient_memory", error.Str("code"));
        Assert.Contains("--memory-budget", error.Str("message"));
        Assert.Empty(server.Launcher.Models);
    }

    private static async Task ChatAsync(ServerHarness server, string model)
    {
        using var response = await server.PostChatAsync(ServerHarness.ChatBody(model: model));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
