using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using Xunit.Abstractions;

namespace Nexa.Tests.Integration;

/// <summary>The real server, with a random-weight model that has Qwen3's real tokenizer and chat template.</summary>
public sealed class ToolServerFixture : RealServerFixture
{
    protected override bool WithToolModel => true;
}

/// <summary>
/// Tool calls end to end: the server maps tools and tool_choice, the runner renders Qwen3's own template, the grammar
/// holds the random weights to a well-formed call, the parser turns it into OpenAI's tool_calls; with raw HTTP, the
/// OpenAI .NET SDK, Microsoft.Extensions.AI's FunctionInvokingChatClient and the npm openai client.
/// </summary>
public sealed class ToolCallsThroughRunnerTests(ToolServerFixture fixture, ITestOutputHelper output) : IClassFixture<ToolServerFixture>
{
    private const string WeatherTool = """
        {"type":"function","function":{"name":"get_weather","description":"Weather of a city.",
         "parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":12}},"required":["city"],"additionalProperties":false}}}
        """;

    private static readonly OpenAI.Chat.ChatTool Weather = OpenAI.Chat.ChatTool.CreateFunctionTool(
        "get_weather", "Weather of a city.",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string","maxLength":12}},"required":["city"],"additionalProperties":false}"""));

    private RealServer Server => fixture.Server;

    private static string Body(string extra, bool stream = false) =>
        RealServer.ChatBody("What is the weather in Paris?", "\"tools\":[" + WeatherTool + "]," + extra + (stream ? ",\"stream\":true" : ""), RealServer.ToolModel);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body)
    {
        using var response = await Server.Http.PostAsync("/v1/chat/completions", RealServer.Json(body));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Required_answers_tool_calls_in_OpenAIs_shape(int seed)
    {
        var (status, body) = await PostAsync(Body($"\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"seed\":{seed},\"max_tokens\":60"));

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.Str("finish_reason"));
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray().ToList());
        Assert.StartsWith("call_", call.Str("id"));
        Assert.Equal("function", call.Str("type"));
        Assert.Equal("get_weather", call.GetProperty("function").Str("name"));
        AssertWeatherArguments(call.GetProperty("function").Str("arguments")!);
    }

    [Fact]
    public async Task A_named_choice_streams_the_call_as_deltas()
    {
        var chunks = await StreamAsync(Body("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},\"seed\":3,\"max_tokens\":60", stream: true));

        var deltas = chunks.Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0)
            .Select(c => c[0].GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _))
            .SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, d => Assert.Equal(0, d.GetProperty("index").GetInt32()));
        Assert.StartsWith("call_", deltas[0].Str("id"));
        Assert.Equal("get_weather", deltas[0].GetProperty("function").Str("name"));
        Assert.All(deltas.Skip(1), d => Assert.False(d.TryGetProperty("id", out _)));
        AssertWeatherArguments(string.Concat(deltas.Select(d => d.GetProperty("function").Str("arguments"))));
        var finish = chunks.Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0).Select(c => c[0])
            .Where(c => c.GetProperty("finish_reason").ValueKind == JsonValueKind.String).Single();
        Assert.Equal("tool_calls", finish.Str("finish_reason"));
    }

    [Fact]
    public async Task A_follow_up_with_the_call_and_its_result_answers()
    {
        var (_, first) = await PostAsync(Body("\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"seed\":4,\"max_tokens\":60"));
        var message = first.GetProperty("choices")[0].GetProperty("message");
        var call = message.GetProperty("tool_calls")[0];
        var messages = $$"""
            [{"role":"user","content":"What is the weather in Paris?"},{{message.GetRawText()}},
             {"role":"tool","tool_call_id":"{{call.Str("id")}}","content":"{\"sky\":\"clear\",\"celsius\":21}"}]
            """;
        var body = $$"""{"model":"{{RealServer.ToolModel}}","messages":{{messages}},"tools":[{{WeatherTool}}],"seed":5,"max_tokens":6}""";

        var (status, answer) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task A_schema_that_cannot_be_enforced_is_a_400_and_the_runner_goes_on()
    {
        const string bad = """{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"type":"string","pattern":"(?<=a)b"}}}}}""";
        var body = RealServer.ChatBody("Hi", "\"tools\":[" + bad + "],\"tool_choice\":\"required\"", RealServer.ToolModel);

        var (status, error) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("tools", error.GetProperty("error").Str("param"));
        var (after, _) = await PostAsync(Body("\"tool_choice\":\"required\",\"seed\":6,\"max_tokens\":60"));
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task The_OpenAI_dotnet_SDK_gets_the_call_whole_and_streamed()
    {
        var client = new ChatClient(RealServer.ToolModel, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(Server.Server.BaseAddress, "/v1") });
        var options = new ChatCompletionOptions { Tools = { Weather }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), AllowParallelToolCalls = false, MaxOutputTokenCount = 60 };
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the server honours it.
        options.Seed = 7;
#pragma warning restore OPENAI001
        OpenAI.Chat.ChatMessage[] chat = [new UserChatMessage("What is the weather in Paris?")];

        ChatCompletion whole = await client.CompleteChatAsync(chat, options);

        Assert.Equal(ChatFinishReason.ToolCalls, whole.FinishReason);
        var call = Assert.Single(whole.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        AssertWeatherArguments(call.FunctionArguments.ToString());

        var arguments = new StringBuilder();
        string? id = null, name = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(chat, options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                id ??= part.ToolCallId;
                name ??= part.FunctionName;
                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.StartsWith("call_", id);
        Assert.Equal("get_weather", name);
        AssertWeatherArguments(arguments.ToString());
    }

    [Fact]
    public async Task Microsoft_Extensions_AI_invokes_our_function_and_sends_the_result_back()
    {
        // A boolean parameter: random weights cannot run a free string on past the token limit.
        var invoked = new List<bool>();
        var function = AIFunctionFactory.Create((bool metric) =>
        {
            invoked.Add(metric);
            return new { sky = "clear", temperature = metric ? 21 : 70 };
        }, "get_weather", "Weather in Paris.");
        var openAi = new OpenAIClient(new ApiKeyCredential("x"),
            new OpenAIClientOptions { Endpoint = new Uri(Server.Server.BaseAddress, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
        using var chat = new FunctionInvokingChatClient(openAi.GetChatClient(RealServer.ToolModel).AsIChatClient()) { MaximumIterationsPerRequest = 3 };
        var options = new ChatOptions { Tools = [function], ToolMode = ChatToolMode.RequireSpecific("get_weather"), Seed = 8, MaxOutputTokens = 60, AllowMultipleToolCalls = false };

        var response = await chat.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "What is the weather in Paris?")], options);

        output.WriteLine(string.Join("\n", response.Messages.Select(m => $"{m.Role}: {string.Join(" | ", m.Contents.Select(c => c switch
        {
            FunctionCallContent call => $"call {call.Name} {JsonSerializer.Serialize(call.Arguments)}",
            FunctionResultContent result => $"result {result.Result} {result.Exception?.Message}",
            _ => c.GetType().Name,
        }))}")));
        Assert.NotEmpty(invoked);
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any(c => c.Name == "get_weather"));
        Assert.Contains(response.Messages, m => m.Role == ChatRole.Tool && m.Contents.OfType<FunctionResultContent>().Any());
    }

    [NodeFact]
    public async Task The_npm_openai_client_gets_the_call_whole_and_streamed_and_sends_the_result_back()
    {
        await NodeClients.EnsureInstalledAsync();
        var (code, stdout, stderr) = await NodeClients.RunAsync("tools.mjs", Server.Server.BaseAddress + "v1", JsonSerializer.Serialize(new { model = RealServer.ToolModel }));
        Assert.True(code == 0, $"node tools.mjs exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        output.WriteLine(stdout);
        var summary = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;

        Assert.Equal(NodeClients.PinnedVersion("openai"), summary.Str("client"));
        foreach (var part in new[] { "whole", "streamed" })
        {
            var answer = summary.GetProperty(part);
            Assert.Equal("tool_calls", answer.Str("finish"));
            var call = Assert.Single(answer.GetProperty("calls").EnumerateArray().ToList());
            Assert.StartsWith("call_", call.Str("id"));
            Assert.Equal("function", call.Str("type"));
            Assert.Equal("get_weather", call.Str("name"));
            AssertWeatherArguments(call.Str("arguments")!);
        }

        Assert.True(summary.GetProperty("streamed").GetProperty("chunks").GetInt32() > 2);
        var followUp = summary.GetProperty("followUp");
        Assert.True(followUp.GetProperty("promptTokens").GetInt32() > followUp.GetProperty("firstPromptTokens").GetInt32());
    }

    private async Task<List<JsonElement>> StreamAsync(string body)
    {
        using var response = await Server.Http.PostAsync("/v1/chat/completions", RealServer.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        Assert.Equal("[DONE]", lines[^1]);
        return [.. lines[..^1].Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static void AssertWeatherArguments(string json)
    {
        using var arguments = JsonDocument.Parse(json);
        var root = arguments.RootElement;
        Assert.Equal(["city"], root.EnumerateObject().Select(p => p.Name));
        Assert.InRange(root.GetProperty("city").GetString()!.Length, 0, 12);
    }
}
