using Nexa.Engine.Text;
using Nexa.FakeRunner;
using Xunit.Abstractions;

namespace Nexa.Tests.Runner;

public sealed class RunnerGenerationTests(ITestOutputHelper output) : RunnerTestBase
{
    [Fact]
    public async Task Launched_runner_reports_its_model_and_streams_words_then_finished()
    {
        var runner = await LaunchAsync(new EngineOptions { ContextSize = 1024 });
        output.WriteLine($"runner started and answered in {runner.StartupTime.TotalMilliseconds:0} ms");

        Assert.Equal(ModelPath, runner.Info.Path);
        Assert.Equal("fake", runner.Info.Architecture);
        Assert.Equal(1024, runner.Info.ContextSize);
        Assert.True(runner.Info.HasChatTemplate);
        Assert.False(runner.HasExited);

        var request = new ChatRequest { Messages = [new ChatMessage("system", "be brief"), new ChatMessage("user", "one two three four")] };
        var events = await CollectAsync(runner, request).WaitAsync(Bound);

        Assert.Equal(["one", " two", " three", " four"], events.OfType<TextDelta>().Select(d => d.Text));
        var finished = Assert.IsType<GenerationFinished>(events[^1]);
        Assert.Equal(FinishReason.Stop, finished.Reason);
        Assert.Equal(6, finished.PromptTokens);
        Assert.Equal(4, finished.CompletionTokens);
        Assert.True(finished.TimeToFirstToken > TimeSpan.Zero && finished.TimeToFirstToken <= finished.Elapsed);
    }

    [Fact]
    public async Task Max_tokens_ends_the_answer_with_length()
    {
        var runner = await LaunchAsync();

        var events = await CollectAsync(runner, Ask("one two three four") with { MaxTokens = 2 }).WaitAsync(Bound);

        Assert.Equal("one two", Text(events));
        var finished = Assert.IsType<GenerationFinished>(events[^1]);
        Assert.Equal(FinishReason.Length, finished.Reason);
        Assert.Equal(2, finished.CompletionTokens);
    }

    [Fact]
    public async Task Stop_string_ends_the_answer_and_no_part_of_it_is_sent()
    {
        var runner = await LaunchAsync();

        // "ta ga" spans two words: "be" must wait until " gamma" shows it was the start of the stop string.
        var events = await CollectAsync(runner, Ask("alpha beta gamma delta") with { Stop = ["ta ga"] }).WaitAsync(Bound);

        Assert.Equal("alpha be", Text(events));
        var finished = Assert.IsType<GenerationFinished>(events[^1]);
        Assert.Equal(FinishReason.Stop, finished.Reason);
        Assert.Equal(3, finished.CompletionTokens);
    }

    [Fact]
    public async Task Every_request_field_crosses_the_wire()
    {
        var runner = await LaunchAsync();
        var request = new ChatRequest
        {
            Messages = [new ChatMessage("system", "Sé breve ✓"), new ChatMessage("user", FakeChatModel.Magic.EchoRequest)],
            Sampling = new SamplingOptions
            {
                Temperature = 0.25f,
                TopP = 0.5f,
                TopK = 7,
                MinP = 0f,
                RepetitionPenalty = 1.1f,
                PresencePenalty = -0.5f,
                FrequencyPenalty = 0.75f,
                Seed = 4_000_000_000,
                LogitBias = new Dictionary<int, float> { [3] = -100f, [42] = 2.5f },
            },
            MaxTokens = 9,
            Stop = ["</s>", "\n\n"],
            EnableThinking = true,
            IgnoreEos = true,
        };

        var events = await CollectAsync(runner, request).WaitAsync(Bound);

        Assert.Equal(FakeChatModel.Describe(request), Text(events));
        var unset = await CollectAsync(runner, Ask(FakeChatModel.Magic.EchoRequest)).WaitAsync(Bound);
        Assert.Equal(FakeChatModel.Describe(Ask(FakeChatModel.Magic.EchoRequest)), Text(unset));
        Assert.Contains("seed=none", Text(unset));
        Assert.Contains("max_tokens=none", Text(unset));
    }

    [Fact]
    public async Task Thinking_comes_back_marked_as_reasoning()
    {
        var runner = await LaunchAsync();

        var events = await CollectAsync(runner, Ask("yes") with { EnableThinking = true }).WaitAsync(Bound);

        var deltas = events.OfType<TextDelta>().ToList();
        Assert.Equal(new TextDelta(FakeChatModel.ReasoningText, IsReasoning: true), deltas[0]);
        Assert.Equal(new TextDelta("yes", IsReasoning: false), deltas[1]);
    }
}
