using System.ClientModel;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Chat;

namespace Nexa.Tests.Server;

/// <summary>The official OpenAI .NET SDK, pointed at our server, works unchanged.</summary>
public sealed class OpenAiSdkTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(o => o with { ApiKey = "x" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatClient Client(string model = ServerHarness.SeedModel) =>
        new(model, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });

    [Fact]
    public async Task Complete_chat()
    {
        ChatMessage[] messages = [new SystemChatMessage("Be brief."), new UserChatMessage("Hello SDK")];

        ChatCompletion completion = await Client().CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 64, Temperature = 0.5f });

        Assert.Equal("You said: Hello SDK", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ServerHarness.SeedModel, completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        var request = _server.Launcher.Models.Single().Requests.Single();
        Assert.Equal(64, request.MaxTokens);
        Assert.Equal(0.5f, request.Sampling.Temperature);
    }

    [Fact]
    public void Complete_chat_synchronously_with_a_length_cut()
    {
        ChatCompletion completion = Client().CompleteChat([new UserChatMessage("one two three")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });

        Assert.Equal("You said:", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public async Task Complete_chat_streaming()
    {
        var text = "";
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("stream me please")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("You said: stream me please", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(5, usage.OutputTokenCount);
    }

    [Fact]
    public void Complete_chat_streaming_synchronously()
    {
        var updates = Client().CompleteChatStreaming([new UserChatMessage("sync")]).ToList();

        Assert.Equal("You said: sync", string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text)));
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Errors_surface_as_sdk_exceptions_with_the_status()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => Client("nobody/nothing").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, e.Status);
        Assert.Contains("not pulled", e.Message);

        var wrongKey = new ChatClient(ServerHarness.SeedModel, new ApiKeyCredential("wrong"),
            new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });
        var unauthorized = await Assert.ThrowsAsync<ClientResultException>(() => wrongKey.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, unauthorized.Status);
    }
}
