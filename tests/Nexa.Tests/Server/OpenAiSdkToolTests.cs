using System.ClientModel;
using System.Text;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Chat;

namespace Nexa.Tests.Server;

/// <summary>The official OpenAI .NET SDK's tools: ChatTool out, tool calls back (whole and streamed), results in.</summary>
public sealed class OpenAiSdkToolTests : IAsyncLifetime
{
    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool(
        "get_weather", "Weather in a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatClient Client() =>
        new(ServerHarness.ChatModel, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });

    private static ChatCompletionOptions Options() => new()
    {
        Tools = { Weather },
        ToolChoice = ChatToolChoice.CreateRequiredChoice(),
        AllowParallelToolCalls = false,
    };

    [Fact]
    public async Task A_required_call_comes_back_as_chat_tool_calls()
    {
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Weather in Paris?")], Options());

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.Id));
        using var arguments = JsonDocument.Parse(call.FunctionArguments);
        Assert.Equal(0, arguments.RootElement.GetProperty("n").GetInt32());
        var request = _server.Launcher.Models.Single().Requests.Single();
        Assert.Equal("get_weather", Assert.Single(request.Tools).Name);
        Assert.False(request.ParallelToolCalls);
    }

    [Fact]
    public async Task Streamed_tool_call_updates_assemble_into_the_call()
    {
        var arguments = new StringBuilder();
        string? id = null, name = null;
        ChatFinishReason? finish = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], Options()))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                Assert.Equal(0, part.Index);
                id ??= part.ToolCallId;
                name ??= part.FunctionName;
                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal("get_weather", name);
        Assert.Equal(0, JsonDocument.Parse(arguments.ToString()).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task The_calls_and_the_tool_results_go_back_in_the_next_request()
    {
        ChatCompletion first = await Client().CompleteChatAsync([new UserChatMessage("Weather in Paris?")], Options());
        var call = Assert.Single(first.ToolCalls);

        ChatMessage[] conversation =
        [
            new UserChatMessage("Weather in Paris?"),
            new AssistantChatMessage(first),
            new ToolChatMessage(call.Id, "sunny, 21 C"),
        ];
        ChatCompletion second = await Client().CompleteChatAsync(conversation, new ChatCompletionOptions { Tools = { Weather } });

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        var request = _server.Launcher.Models.Single().Requests[^1];
        Assert.Equal(["user", "assistant", "tool"], request.Messages.Select(m => m.Role));
        Assert.Equal(call.Id, Assert.Single(request.Messages[1].ToolCalls).Id);
        Assert.Equal((call.Id, "sunny, 21 C"), (request.Messages[2].ToolCallId, request.Messages[2].Content));
    }
}
