using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

/// <summary>
/// Tool calls through llama.cpp on a random-weight Qwen3-architecture model with Qwen3's real tokenizer and chat
/// template (the Hermes family: <c>&lt;tool_call&gt;</c> JSON): the grammar makes even random weights write a well-formed
/// call, and the parser turns it into OpenAI's deltas. Random weights: shapes and validity, never wording.
/// </summary>
public sealed class ToolCallsThroughEngineTests(TinyQwen3Model qwen) : IClassFixture<TinyQwen3Model>
{
    private static readonly ChatTool Weather = new("get_weather", "Weather of a city.",
        """{"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"], "additionalProperties": false}""");

    private static readonly ChatTool Time = new("get_time", null, """{"type": "object", "properties": {"zone": {"enum": ["UTC", "CET"]}}, "required": ["zone"]}""");

    internal static ChatRequest Ask(ToolChoice choice, uint seed, bool parallel = true, int maxTokens = 120) => new()
    {
        Messages = [new ChatMessage("user", "What is the weather in Paris, and the time?")],
        Sampling = new SamplingOptions { Seed = seed, Temperature = 1f },
        MaxTokens = maxTokens,
        Tools = [Weather, Time],
        ToolChoice = choice,
        ParallelToolCalls = parallel,
    };

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    public async Task Required_answers_calls_whose_arguments_match_the_schema(uint seed)
    {
        var answer = await ToolAnswer.RunAsync(qwen.Model, Ask(new ToolChoice(ToolChoiceMode.Required), seed));

        if (answer.Finished.Reason == FinishReason.Length)
        {
            // Parallel calls may go on to the token limit; every call that closed is whole, and markup cut off before
            // its function's name was read is shown as text (a stream cannot take back what it sent).
            Assert.NotEmpty(answer.Calls);
            Assert.True(answer.Content.Length == 0 || answer.Content.StartsWith("<tool_call>", StringComparison.Ordinal), answer.Content);
        }
        else
        {
            Assert.Equal(FinishReason.ToolCalls, answer.Finished.Reason);
            Assert.Equal("", answer.Content.Trim());
        }

        foreach (var call in answer.Calls.Take(answer.Finished.Reason == FinishReason.Length ? answer.Calls.Count - 1 : answer.Calls.Count))
        {
            Assert.Contains(call.Name, new[] { "get_weather", "get_time" });
            AssertMatches(call);
        }
    }

    [Theory]
    [InlineData(4u)]
    [InlineData(5u)]
    public async Task A_named_choice_calls_that_function_once(uint seed)
    {
        var answer = await ToolAnswer.RunAsync(qwen.Model, Ask(new ToolChoice(ToolChoiceMode.Named, "get_time"), seed));

        Assert.Equal(FinishReason.ToolCalls, answer.Finished.Reason);
        var call = Assert.Single(answer.Calls);
        Assert.Equal("get_time", call.Name);
        AssertMatches(call);
    }

    [Fact]
    public async Task Parallel_calls_off_means_one_call()
    {
        var answer = await ToolAnswer.RunAsync(qwen.Model, Ask(new ToolChoice(ToolChoiceMode.Required), 6, parallel: false));

        Assert.Equal(FinishReason.ToolCalls, answer.Finished.Reason);
        AssertMatches(Assert.Single(answer.Calls));
    }

    [Fact]
    public async Task Deltas_come_in_OpenAIs_shape_id_and_name_first_then_arguments_that_only_grow()
    {
        var answer = await ToolAnswer.RunAsync(qwen.Model, Ask(new ToolChoice(ToolChoiceMode.Required), 7));

        Assert.NotEmpty(answer.Calls);
        var byIndex = answer.Deltas.GroupBy(d => d.Index).ToList();
        Assert.Equal(Enumerable.Range(0, byIndex.Count), byIndex.Select(g => g.Key));
        foreach (var call in byIndex)
        {
            var first = call.First();
            Assert.StartsWith("call_", first.Id);
            Assert.False(string.IsNullOrEmpty(first.Name));
            Assert.All(call.Skip(1), d => Assert.True(d.Id is null && d.Name is null));
        }

        Assert.Equal(answer.Calls.Count, answer.Calls.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public async Task Auto_leaves_the_answer_free_until_the_trigger_and_constrains_the_call_after_it()
    {
        // Random weights rarely write <tool_call>: a bias makes it the first token. From there the lazy grammar holds.
        var request = Ask(ToolChoice.Auto, 8, parallel: false);
        request = request with { Sampling = request.Sampling with { LogitBias = new Dictionary<int, float> { [qwen.TokenId("<tool_call>")] = 100 } } };

        var answer = await ToolAnswer.RunAsync(qwen.Model, request);

        Assert.Equal(FinishReason.ToolCalls, answer.Finished.Reason);
        AssertMatches(Assert.Single(answer.Calls));
    }

    [Fact]
    public async Task Auto_without_a_call_answers_text_and_stops()
    {
        var answer = await ToolAnswer.RunAsync(qwen.Model, Ask(ToolChoice.Auto, 9, maxTokens: 12) with { IgnoreEos = false });

        Assert.Empty(answer.Calls);
        Assert.NotEqual(FinishReason.ToolCalls, answer.Finished.Reason);
    }

    [Fact]
    public async Task None_shows_the_tools_but_never_constrains_or_parses()
    {
        var request = Ask(new ToolChoice(ToolChoiceMode.None), 10, maxTokens: 12);
        request = request with { Sampling = request.Sampling with { LogitBias = new Dictionary<int, float> { [qwen.TokenId("<tool_call>")] = 100 } } };

        var answer = await ToolAnswer.RunAsync(qwen.Model, request);

        Assert.Empty(answer.Calls);
        Assert.Contains("<tool_call>", answer.Content);
        Assert.Equal(FinishReason.Length, answer.Finished.Reason);
    }

    [Fact]
    public async Task A_follow_up_with_the_calls_and_their_results_renders_and_answers()
    {
        var first = await ToolAnswer.RunAsync(qwen.Model, Ask(new ToolChoice(ToolChoiceMode.Named, "get_weather"), 11));
        var call = Assert.Single(first.Calls);
        var request = Ask(ToolChoice.Auto, 12, maxTokens: 8) with
        {
            Messages =
            [
                new ChatMessage("user", "What is the weather in Paris?"),
                new ChatMessage("assistant", "") { ToolCalls = [new ChatToolCall(call.Id, call.Name, call.ArgumentsJson)] },
                new ChatMessage("tool", """{"sky": "clear", "celsius": 21}""") { ToolCallId = call.Id, Name = call.Name },
            ],
        };

        var answer = await ToolAnswer.RunAsync(qwen.Model, request);

        Assert.True(answer.Finished.PromptTokens > first.Finished.PromptTokens);
        Assert.True(answer.Finished.CompletionTokens > 0);
    }

    private static void AssertMatches(ToolAnswer.Call call)
    {
        using var arguments = JsonDocument.Parse(call.ArgumentsJson);
        var root = arguments.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        if (call.Name == "get_weather")
        {
            Assert.Equal(["city", "days"], root.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(JsonValueKind.String, root.GetProperty("city").ValueKind);
            Assert.InRange(root.GetProperty("city").GetString()!.Length, 0, 12);
            Assert.InRange(root.GetProperty("days").GetInt32(), 1, 7);
        }
        else
        {
            Assert.Contains(root.GetProperty("zone").GetString(), new[] { "UTC", "CET" });
        }
    }
}

/// <summary>
/// A Qwen3-vocabulary model whose template opens the answer's &lt;think&gt; block (as DeepSeek R1's does): a forced
/// call waits for the model to close its thinking.
/// </summary>
public sealed class ToolCallsAfterThinkingTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private TextModel _model = null!;
    private int _thinkEnd;

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        var vocabulary = RealVocabularies.Qwen3();
        const string generationPrompt = @"{{- '<|im_start|>assistant\n' }}";
        Assert.Contains(generationPrompt, vocabulary.ChatTemplate);
        vocabulary = vocabulary with { ChatTemplate = vocabulary.ChatTemplate.Replace(generationPrompt, @"{{- '<|im_start|>assistant\n<think>\n' }}", StringComparison.Ordinal) };
        _thinkEnd = vocabulary.Tokens.ToList().IndexOf("</think>");
        var path = RealVocabularies.WriteQwen3Model(_dir["qwen3-thinking.gguf"], vocabulary);
        _model = await TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_required_call_comes_after_the_thinking_which_stays_reasoning()
    {
        // Random weights rarely close their thinking: a mild bias on </think> ends it within a few tokens.
        var request = ToolCallsThroughEngineTests.Ask(new ToolChoice(ToolChoiceMode.Required), 13, parallel: false, maxTokens: 160);
        request = request with { Sampling = request.Sampling with { LogitBias = new Dictionary<int, float> { [_thinkEnd] = 12 } } };

        var answer = await ToolAnswer.RunAsync(_model, request);

        Assert.Equal(FinishReason.ToolCalls, answer.Finished.Reason);
        var call = Assert.Single(answer.Calls);
        using var arguments = JsonDocument.Parse(call.ArgumentsJson);
        Assert.Equal(JsonValueKind.Object, arguments.RootElement.ValueKind);
        Assert.DoesNotContain("<tool_call>", answer.Reasoning);
        Assert.Equal("", answer.Content.Trim());
    }
}

/// <summary>What one generation with tools streamed back: text, reasoning, call deltas, and the calls they add up to.</summary>
internal sealed record ToolAnswer(string Content, string Reasoning, IReadOnlyList<ToolCallDelta> Deltas, GenerationFinished Finished)
{
    public sealed record Call(string Id, string Name, string ArgumentsJson);

    public IReadOnlyList<Call> Calls =>
        [.. Deltas.GroupBy(d => d.Index).OrderBy(g => g.Key).Select(g => new Call(g.First().Id!, g.First().Name!, string.Concat(g.Select(d => d.Arguments))))];

    public static async Task<ToolAnswer> RunAsync(TextModel model, ChatRequest request)
    {
        var content = new System.Text.StringBuilder();
        var reasoning = new System.Text.StringBuilder();
        var deltas = new List<ToolCallDelta>();
        GenerationFinished? finished = null;
        await foreach (var e in model.GenerateAsync(request, CancellationToken.None))
        {
            Assert.Null(finished);
            switch (e)
            {
                case TextDelta { IsReasoning: true } d:
                    reasoning.Append(d.Text);
                    break;
                case TextDelta d:
                    content.Append(d.Text);
                    break;
                case ToolCallDelta d:
                    deltas.Add(d);
                    break;
                case GenerationFinished f:
                    finished = f;
                    break;
            }
        }

        return new ToolAnswer(content.ToString(), reasoning.ToString(), deltas, finished!);
    }
}
