using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class CancellationTests
{
    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_its_generation_and_frees_the_slot()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { Parallel = 1, QueueSize = 0 });
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using (var client = server.NewClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":100000"), System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync());
        }
        var model = Assert.Single(server.Launcher.Models);

        await Wire.EventuallyAsync(() => model.CancelledGenerations == 1 && model.ActiveGenerations == 0, "the generation is cancelled");
        using var next = await server.PostChatAsync(ServerHarness.ChatBody());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_client_that_gives_up_on_a_non_streamed_answer_cancels_it()
    {
        await using var server = await ServerHarness.StartAsync();
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            server.PostChatAsync(ServerHarness.ChatBody(extra: "\"ignore_eos\":true,\"max_tokens\":100000"), giveUp.Token));

        var model = Assert.Single(server.Launcher.Models);
        await Wire.EventuallyAsync(() => model.CancelledGenerations == 1 && model.ActiveGenerations == 0, "the generation is cancelled");
    }

    [Fact]
    public async Task Stopping_the_server_ends_generations_and_unloads_every_model()
    {
        var server = await ServerHarness.StartAsync();
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);
        using var streaming = await server.SendChatAsync(ServerHarness.ChatBody(extra: "\"stream\":true,\"ignore_eos\":true,\"max_tokens\":100000"));
        using (await server.PostChatAsync(ServerHarness.ChatBody(model: "test/alpha")))
        {
        }

        var stopped = Task.Run(async () => await server.DisposeAsync());
        await stopped.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(server.Launcher.Models, m => Assert.True(m.IsDisposed));
        Assert.Equal(1, server.Launcher.ModelsOf("test/chat")[0].CancelledGenerations);
    }
}
