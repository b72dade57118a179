using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>
/// The stock npm <c>openai</c> client (tests/clients/node, see <see cref="NodeClients"/>) chats with the server: one
/// plain and one streamed request. Without node the test is skipped; with node but no client after the install
/// attempt it fails.
/// </summary>
public sealed class OpenAiNodeClientTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    [NodeFact]
    public async Task The_npm_openai_client_chats_plain_and_streamed()
    {
        await NodeClients.EnsureInstalledAsync();
        var baseUrl = fixture.Server.Server.BaseAddress + "v1";

        var (code, stdout, stderr) = await NodeClients.RunAsync("chat.mjs", baseUrl, RealServer.Model);

        Assert.True(code == 0, $"node chat.mjs exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        var summary = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(NodeClients.PinnedVersion("openai"), summary.GetProperty("client").GetString());

        var completion = summary.GetProperty("completion");
        Assert.StartsWith("chatcmpl-", completion.GetProperty("id").GetString());
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.Equal(RealServer.Model, completion.GetProperty("model").GetString());
        Assert.Equal("assistant", completion.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, completion.GetProperty("content").ValueKind);
        Assert.Contains(completion.GetProperty("finish_reason").GetString(), (string[])["stop", "length"]);
        var usage = completion.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 0, 16);

        var stream = summary.GetProperty("stream");
        Assert.StartsWith("chatcmpl-", stream.GetProperty("id").GetString());
        Assert.True(stream.GetProperty("chunks").GetInt32() >= 3, stream.ToString());
        Assert.Equal("assistant", stream.GetProperty("role").GetString());
        Assert.Contains(stream.GetProperty("finish_reason").GetString(), (string[])["stop", "length"]);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        // Same seed, same answer, streamed or not.
        Assert.Equal(completion.GetProperty("content").GetString(), stream.GetProperty("content").GetString());
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}
