using System.Net;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>response_format json_schema / json_object and a raw GBNF grammar constrain llama.cpp's answer in the runner.</summary>
public sealed class StructuredOutputThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private const string Schema = """{"type":"object","properties":{"ok":{"type":"boolean"},"n":{"type":"integer","minimum":0,"maximum":9}},"required":["ok","n"],"additionalProperties":false}""";

    private RealServer Server => fixture.Server;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string extra)
    {
        using var response = await Server.Http.PostAsync("/v1/chat/completions", RealServer.Json(RealServer.ChatBody(extra: extra)));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_json_schema_answer_parses_and_matches_the_schema(int seed)
    {
        var (status, body) = await PostAsync("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":" + Schema + "}},\"seed\":" + seed + ",\"max_tokens\":200");

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.Str("finish_reason"));
        using var answer = JsonDocument.Parse(choice.GetProperty("message").Str("content")!);
        var root = answer.RootElement;
        Assert.Equal(["n", "ok"], root.EnumerateObject().Select(p => p.Name).Order());
        Assert.True(root.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.InRange(root.GetProperty("n").GetInt32(), 0, 9);
    }

    [Fact]
    public async Task Json_object_answers_a_json_object()
    {
        var (status, body) = await PostAsync("\"response_format\":{\"type\":\"json_object\"},\"seed\":4,\"max_tokens\":300");

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        if (choice.Str("finish_reason") == "stop")
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(choice.GetProperty("message").Str("content")!).RootElement.ValueKind);
        else
            Assert.StartsWith("{", choice.GetProperty("message").Str("content"));
    }

    [Fact]
    public async Task A_gbnf_grammar_constrains_the_answer()
    {
        var (status, body) = await PostAsync("\"grammar\":\"root ::= (\\\"yes\\\" | \\\"no\\\")\",\"seed\":5,\"max_tokens\":20");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(body.GetProperty("choices")[0].GetProperty("message").Str("content"), new[] { "yes", "no" });
    }

    [Theory]
    [InlineData("\"grammar\":\"root ::= (\\\"a\\\"\"", "grammar")]
    [InlineData("\"grammar\":\"root ::= undefined-rule\"", "grammar")]
    [InlineData("\"grammar\":\"root ::= root \\\"a\\\"\"", "grammar")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":{\"$ref\":\"#/$defs/missing\"}}}", "response_format")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":{\"type\":\"string\",\"pattern\":\"(?<=a)b\"}}}", "response_format")]
    public async Task A_bad_grammar_or_schema_is_400_and_the_runner_lives_on(string extra, string param)
    {
        var (status, body) = await PostAsync(extra);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").Str("param"));
        var (after, _) = await PostAsync("\"max_tokens\":2");
        Assert.Equal(HttpStatusCode.OK, after);
    }
}
