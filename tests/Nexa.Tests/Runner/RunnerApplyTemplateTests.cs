using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.FakeRunner;

namespace Nexa.Tests.Runner;

/// <summary>The ApplyTemplate RPC: what the template reads crosses the wire, and its refusals come back as the engine's errors.</summary>
public sealed class RunnerApplyTemplateTests : RunnerTestBase
{
    [Fact]
    public async Task Messages_tools_variables_and_the_thinking_switch_cross_the_wire()
    {
        var runner = await LaunchAsync();
        var request = new ChatRequest
        {
            Messages =
            [
                new ChatMessage("user", "Weather in Paris? ✓"),
                new ChatMessage("assistant", "") { ToolCalls = [new ChatToolCall("call_1", "get_weather", """{"city":"Paris"}""")] },
                new ChatMessage("tool", "sunny") { ToolCallId = "call_1" },
            ],
            Tools = [new ChatTool("get_weather", "Weather in a city", """{"type":"object"}""")],
            TemplateKwargsJson = """{"greeting":"hey"}""",
            EnableThinking = true,
        };

        var prompt = await runner.ApplyTemplateAsync(request, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(FakeTemplate.Render(request), prompt);
        Assert.Contains("[call get_weather{\"city\":\"Paris\"}]", prompt);
        Assert.StartsWith("# tools=[get_weather] kwargs={\"greeting\":\"hey\"} thinking=on\n", prompt);
    }

    [Fact]
    public async Task A_template_refusal_comes_back_as_the_engines_error_and_the_runner_serves_on()
    {
        var runner = await LaunchAsync();

        var error = await Assert.ThrowsAsync<EngineException>(() => runner.ApplyTemplateAsync(Ask(FakeTemplate.RaiseMessage), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(ErrorCodes.ChatTemplateError, error.Code);
        Assert.Equal("messages", error.Param);
        Assert.False(runner.HasExited);
        Assert.EndsWith("<|im_start|>assistant\n", await runner.ApplyTemplateAsync(Ask("Hi"), CancellationToken.None).WaitAsync(Bound));
    }
}
