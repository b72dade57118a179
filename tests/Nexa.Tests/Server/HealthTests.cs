using System.Net;
using System.Text.Json;
using Nexa.Tests.Integration;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class HealthTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_root_says_the_server_is_running()
    {
        using var response = await _server.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("running", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_is_ok_and_names_the_loaded_models()
    {
        var before = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal("ok", before.Str("status"));
        Assert.Empty(before.GetProperty("models").EnumerateArray());

        using (await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/beta")))
        using (await _server.PostChatAsync(ServerHarness.ChatBody(model: "test/alpha")))
        {
        }

        var after = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
        Assert.Equal(["test/alpha:Q4_0", "test/beta:Q4_0"], after.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Health_shows_each_models_slots_in_use_and_queue_while_requests_run()
    {
        _server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(40);
        var body = ServerHarness.ChatBody(model: "test/alpha", extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":30");
        // Four slots (the default --parallel) and six streams: four run, two wait (their headers come when they start).
        var streams = Enumerable.Range(0, 6).Select(_ => _server.SendChatAsync(body)).ToList();
        try
        {
            var model = await LoadedWhenAsync((busy, queued) => busy == 4 && queued == 2, "4 busy slots and 2 queued");
            Assert.Equal("test/alpha:Q4_0", model.Str("model"));
            Assert.Equal("llm", model.Str("type"));
            Assert.Equal("loaded", model.Str("state"));
            Assert.Equal(4, model.GetProperty("slots").GetInt32());
            Assert.True(model.GetProperty("estimated_bytes").GetInt64() > 0);
            Assert.True(model.GetProperty("resident_bytes").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Null, model.GetProperty("unloads_at").ValueKind);
        }
        finally
        {
            foreach (var stream in await Task.WhenAll(streams))
                stream.Dispose();
        }

        var idle = await LoadedWhenAsync((busy, queued) => busy == 0 && queued == 0, "every slot free");
        Assert.Equal(JsonValueKind.String, idle.GetProperty("unloads_at").ValueKind);
    }

    private async Task<JsonElement> LoadedWhenAsync(Func<int, int, bool> condition, string what)
    {
        JsonElement found = default;
        await Poll.UntilAsync(async () =>
        {
            var health = await Wire.JsonAsync(await _server.Http.GetAsync("/health"));
            // Until the first request reaches residency the table is empty.
            var loaded = health.GetProperty("loaded").EnumerateArray().ToList();
            if (loaded.Count == 0)
                return false;
            found = Assert.Single(loaded);
            return condition(found.GetProperty("slots_busy").GetInt32(), found.GetProperty("queued").GetInt32());
        }, what, TimeSpan.FromSeconds(20));
        return found;
    }
}
