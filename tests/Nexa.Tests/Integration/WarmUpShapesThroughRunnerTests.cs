using System.Net;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>The warm-up shapes on the real runner: the original client's system-only one loads the model and says null; a streamed warm-up is an event stream.</summary>
public sealed class WarmUpShapesThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task The_original_clients_system_only_warm_up_loads_the_model_and_answers_null()
    {
        using var response = await Server.PostChatAsync(
            $$"""{"model":"{{RealServer.Model}}","messages":[{"role":"system","content":"You are terse."}],"ngl":999,"nctx":512}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        Assert.Contains(RealServer.LoadedKey, await Server.LoadedModelsAsync());
    }

    [Fact]
    public async Task A_streamed_warm_up_is_an_event_stream_that_ends_with_done()
    {
        using var response = await Server.SendChatAsync($$"""{"model":"{{RealServer.Model}}","messages":[],"stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1].Trim());
        var chunk = JsonDocument.Parse(events[0]["data: ".Length..]).RootElement;
        Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
        Assert.Equal(0, chunk.GetProperty("choices").GetArrayLength());
        Assert.Contains(RealServer.LoadedKey, await Server.LoadedModelsAsync());
    }
}
