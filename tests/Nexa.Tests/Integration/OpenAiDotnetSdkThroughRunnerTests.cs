using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Nexa.Tests.Integration;

/// <summary>The official OpenAI .NET SDK, unchanged, chats with llama.cpp through the server.</summary>
public sealed class OpenAiDotnetSdkThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private ChatClient Client(string model = RealServer.Model) =>
        new(model, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.Server.BaseAddress + "v1") });

    [Fact]
    public async Task Complete_chat()
    {
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 16 });

        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(RealServer.Model, completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Contains(completion.FinishReason, (ChatFinishReason[])[ChatFinishReason.Stop, ChatFinishReason.Length]);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.InRange(completion.Usage.OutputTokenCount, 0, 16);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        if (completion.Usage.OutputTokenCount > 0)
            Assert.NotEmpty(string.Concat(completion.Content.Select(p => p.Text)));
    }

    [Fact]
    public async Task Complete_chat_streaming()
    {
        var text = "";
        var updates = 0;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 16 }))
        {
            updates++;
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.True(updates >= 2, $"{updates} updates");
        Assert.NotNull(finish);
        Assert.NotNull(usage);
        Assert.InRange(usage.OutputTokenCount, 0, 16);
        Assert.True(usage.InputTokenCount > 0);
        if (finish == ChatFinishReason.Length)
            Assert.Equal(16, usage.OutputTokenCount);
        if (usage.OutputTokenCount > 0)
            Assert.NotEmpty(text);
    }

    [Fact]
    public async Task Errors_surface_as_sdk_exceptions_with_the_status()
    {
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => Client(RealServer.MissingModel).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, missing.Status);

        var broken = await Assert.ThrowsAsync<ClientResultException>(() => Client(RealServer.BrokenModel).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(500, broken.Status);
    }
}
