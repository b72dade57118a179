using System.Net;
using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// Tools, tool choice and structured-output fields through the server's mapping and OpenAI's answer shapes (the fake
/// engine makes a forced call: "Let me check." then two calls of the chosen tool, arguments in two pieces each).
/// </summary>
public sealed class ToolCallingTests : IAsyncLifetime
{
    private const string Weather = """{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    private const string Time = """{"type":"function","function":{"name":"get_time"}}""";

    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string extra, string content = "Weather in Paris?") =>
        _server.PostChatAsync(ServerHarness.ChatBody(content: content, extra: extra.Trim().TrimStart(',')));

    [Fact]
    public async Task A_required_call_answers_tool_calls_with_content_and_finish_reason_tool_calls()
    {
        using var response = await PostAsync($$""","tools":[{{Weather}},{{Time}}],"tool_choice":"required" """);

        var body = await Wire.JsonAsync(response);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.Str("finish_reason"));
        var message = choice.GetProperty("message");
        Assert.Equal("Let me check.", message.Str("content"));
        var calls = message.GetProperty("tool_calls").EnumerateArray().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(2, calls.Select(c => c.Str("id")).Distinct().Count());
        foreach (var (call, i) in calls.Select((c, i) => (c, i)))
        {
            Assert.False(string.IsNullOrEmpty(call.Str("id")));
            Assert.Equal("function", call.Str("type"));
            Assert.Equal("get_weather", call.GetProperty("function").Str("name"));
            using var arguments = JsonDocument.Parse(call.GetProperty("function").Str("arguments")!);
            Assert.Equal(i, arguments.RootElement.GetProperty("n").GetInt32());
        }
    }

    [Fact]
    public async Task A_named_call_without_parallel_calls_is_one_call_of_that_tool()
    {
        using var response = await PostAsync($$$""","tools":[{{{Weather}}},{{{Time}}}],"tool_choice":{"type":"function","function":{"name":"get_time"}},"parallel_tool_calls":false""");

        var message = (await Wire.JsonAsync(response)).GetProperty("choices")[0].GetProperty("message");
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("get_time", call.GetProperty("function").Str("name"));
        var request = _server.Launcher.Models.Single().Requests.Single();
        Assert.Equal(new ToolChoice(ToolChoiceMode.Named, "get_time"), request.ToolChoice);
        Assert.False(request.ParallelToolCalls);
        Assert.Equal(["get_weather", "get_time"], request.Tools.Select(t => t.Name));
        Assert.Equal("""{"type":"object","properties":{}}""", request.Tools[1].ParametersJson);
        using var schema = JsonDocument.Parse(request.Tools[0].ParametersJson);
        Assert.Equal("string", schema.RootElement.GetProperty("properties").GetProperty("city").Str("type"));
    }

    [Fact]
    public async Task Streamed_calls_come_as_openai_deltas_id_and_name_once_then_argument_pieces()
    {
        using var response = await PostAsync($$""","stream":true,"tools":[{{Weather}}],"tool_choice":"required" """);

        var events = await Wire.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var pieces = chunks
            .Select(c => c.GetProperty("choices"))
            .Where(c => c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(c => Assert.Single(c[0].GetProperty("delta").GetProperty("tool_calls").EnumerateArray()))
            .ToList();
        Assert.Equal(4, pieces.Count);
        foreach (var index in new[] { 0, 1 })
        {
            var call = pieces.Where(p => p.GetProperty("index").GetInt32() == index).ToList();
            Assert.Equal(2, call.Count);
            Assert.False(string.IsNullOrEmpty(call[0].Str("id")));
            Assert.Equal("function", call[0].Str("type"));
            Assert.Equal("get_weather", call[0].GetProperty("function").Str("name"));
            Assert.False(call[1].TryGetProperty("id", out _));
            Assert.False(call[1].GetProperty("function").TryGetProperty("name", out _));
            var arguments = string.Concat(call.Select(p => p.GetProperty("function").Str("arguments")));
            Assert.Equal(index, JsonDocument.Parse(arguments).RootElement.GetProperty("n").GetInt32());
        }
        Assert.Equal("tool_calls", chunks.Last(c => c.GetProperty("choices").GetArrayLength() > 0).GetProperty("choices")[0].Str("finish_reason"));
    }

    [Fact]
    public async Task A_follow_up_with_the_assistants_calls_and_the_tool_results_reaches_the_engine()
    {
        const string messages = """
            "messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny, 21 C"},
              {"role":"user","content":"And tomorrow?"}]
            """;
        using var response = await _server.PostChatAsync($$"""{"model":"{{ServerHarness.ChatModel}}",{{messages}},"tools":[{{Weather}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = _server.Launcher.Models.Single().Requests.Single();
        Assert.Equal(["user", "assistant", "tool", "user"], request.Messages.Select(m => m.Role));
        Assert.Equal(new ChatToolCall("call_1", "get_weather", """{"city":"Paris"}"""), Assert.Single(request.Messages[1].ToolCalls));
        Assert.Equal("", request.Messages[1].Content);
        Assert.Equal(("call_1", "sunny, 21 C"), (request.Messages[2].ToolCallId, request.Messages[2].Content));
        Assert.Equal(ToolChoice.Auto, request.ToolChoice);
    }

    [Theory]
    [InlineData(""","response_format":{"type":"json_object"}""", """{"type":"object"}""")]
    [InlineData(""","response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}""", """{"type":"object","properties":{"a":{"type":"integer"}}}""")]
    [InlineData(""","json_schema":{"type":"array"}""", """{"type":"array"}""")]
    [InlineData(""","response_format":{"type":"text"}""", null)]
    public async Task Response_formats_become_the_engines_json_schema(string extra, string? schema)
    {
        using var response = await PostAsync(extra);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(schema, _server.Launcher.Models.Single().Requests.Single().JsonSchema);
    }

    [Fact]
    public async Task Grammar_and_chat_template_kwargs_reach_the_engine()
    {
        using var response = await PostAsync(""","grammar":"root ::= \"yes\" | \"no\"","chat_template_kwargs":{"enable_thinking":false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = _server.Launcher.Models.Single().Requests.Single();
        Assert.Equal("root ::= \"yes\" | \"no\"", request.Grammar);
        Assert.Equal("""{"enable_thinking":false}""", request.TemplateKwargsJson);
    }

    [Theory]
    [InlineData(""","tools":[{"type":"web_search"}]""", "tools[0].type")]
    [InlineData(""","tools":[{"type":"function","function":{}}]""", "tools[0].function.name")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"has space"}}]""", "tools[0].function.name")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f","parameters":"nope"}}]""", "tools[0].function.parameters")]
    [InlineData(""","tool_choice":"required" """, "tool_choice")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}""", "tool_choice")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes" """, "tool_choice")]
    [InlineData(""","response_format":{"type":"xml"}""", "response_format.type")]
    [InlineData(""","response_format":{"type":"json_schema"}""", "response_format.json_schema")]
    [InlineData(""","grammar":"root ::= \"a\"","response_format":{"type":"json_object"}""", "grammar")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f"}}],"grammar":"root ::= \"a\"" """, "tools")]
    [InlineData(""","chat_template_kwargs":[1]""", "chat_template_kwargs")]
    public async Task Bad_tool_fields_are_400_naming_the_field(string extra, string param)
    {
        using var response = await PostAsync(extra);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Empty(_server.Launcher.Models);
    }

    [Theory]
    [InlineData("""[{"role":"tool","content":"x"}]""", "messages[0].tool_call_id")]
    [InlineData("""[{"role":"function","name":"f","content":"x"}]""", "messages[0].role")]
    [InlineData("""[{"role":"user","content":"x","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}]""", "messages[0].tool_calls")]
    [InlineData("""[{"role":"assistant","content":null,"tool_calls":[{"id":"a","type":"function","function":{"arguments":"{}"}}]},{"role":"user","content":"x"}]""", "messages[0].tool_calls[0].function.name")]
    public async Task Bad_tool_messages_are_400_naming_the_field(string messages, string param)
    {
        using var response = await _server.PostChatAsync($$"""{"model":"{{ServerHarness.ChatModel}}","messages":{{messages}}}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
    }
}
