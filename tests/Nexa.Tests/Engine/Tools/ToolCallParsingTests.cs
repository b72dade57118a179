using Nexa.Engine.Text;
using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

public sealed class ToolCallParsingTests
{
    [Theory]
    [MemberData(nameof(ToolCallCase.Names), MemberType = typeof(ToolCallCase))]
    public void Answer_parses_the_same_however_it_is_cut_into_pieces(string name)
    {
        var expected = ToolCallCase.All[name];
        foreach (var pieces in Pieces.EveryCut(expected.Text))
        {
            var run = ToolStreamRun.Of(expected.Format(), pieces);

            var cut = string.Join(" | ", pieces.Select(p => p.Replace("\n", "\\n")));
            Assert.True(expected.Content == run.Content, $"content '{run.Content}' for {cut}");
            Assert.True(expected.Reasoning == run.Reasoning, $"reasoning '{run.Reasoning}' for {cut}");
            Assert.True(expected.Calls.SequenceEqual(run.Calls), $"calls [{string.Join(", ", run.Calls)}] for {cut}");
            Assert.Equal(expected.Calls.Length > 0, run.Answer.HasToolCalls);
        }
    }

    [Theory]
    [MemberData(nameof(ToolCallCase.StreamingNames), MemberType = typeof(ToolCallCase))]
    public void Arguments_stream_in_pieces_before_the_call_ends(string name)
    {
        var expected = ToolCallCase.All[name];
        var run = ToolStreamRun.Of(expected.Format(), expected.Text.Select(c => c.ToString()));

        // Fed one character at a time, a call's arguments arrive in several deltas, not in one at its end.
        foreach (var call in run.Answer.Calls.Where(c => c.ArgumentsJson.Length > 2))
        {
            var index = run.Answer.Calls.ToList().IndexOf(call);
            Assert.True(run.Events.OfType<ToolCallDelta>().Count(d => d.Index == index && d.Id is null) > 1, $"{call.Name}'s arguments came whole");
        }
    }

    [Fact]
    public void Markup_never_shows_as_answer_text_while_a_call_streams()
    {
        var text = "Checking. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";
        var stream = ToolCallFormats.For(ToolCallFamily.Hermes).CreateStream(ToolStreamRun.Tools);
        var shown = "";
        foreach (var c in text)
        {
            var output = new List<GenerationEvent>();
            stream.Push(new TextDelta(c.ToString(), false), output);
            shown += string.Concat(output.OfType<TextDelta>().Select(d => d.Text));
            Assert.DoesNotContain("<", shown);
        }

        Assert.Equal("Checking.", shown);
    }

    [Fact]
    public void Held_back_text_is_shown_when_it_turns_out_not_to_be_a_tag()
    {
        var stream = ToolCallFormats.For(ToolCallFamily.Hermes).CreateStream(ToolStreamRun.Tools);
        var output = new List<GenerationEvent>();

        stream.Push(new TextDelta("a <tool", false), output);
        Assert.Equal("a", string.Concat(output.OfType<TextDelta>().Select(d => d.Text)));

        stream.Push(new TextDelta("box> b", false), output);
        Assert.Equal("a <toolbox> b", string.Concat(output.OfType<TextDelta>().Select(d => d.Text)));
    }

    [Fact]
    public void Call_starts_with_its_id_and_name_as_soon_as_the_name_is_known()
    {
        var stream = ToolCallFormats.For(ToolCallFamily.Hermes).CreateStream(ToolStreamRun.Tools);
        var output = new List<GenerationEvent>();

        stream.Push(new TextDelta("<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"ci", false), output);

        var first = Assert.IsType<ToolCallDelta>(output[0]);
        Assert.Equal((0, "get_weather", ""), (first.Index, first.Name, first.Arguments));
        Assert.StartsWith("call_", first.Id);
        Assert.Equal("{\"ci", Assert.IsType<ToolCallDelta>(output[1]).Arguments);
    }

    [Fact]
    public void Mistral_calls_get_nine_character_ids_its_template_accepts()
    {
        var run = ToolStreamRun.Of(ToolCallFormats.For(ToolCallFamily.MistralNameArgs), ["[TOOL_CALLS]ping[ARGS]{}[TOOL_CALLS]ping[ARGS]{}"]);

        Assert.All(run.Answer.Calls, call => Assert.Matches("^[a-zA-Z0-9]{9}$", call.Id));
    }

    [Fact]
    public void Reasoning_passes_through_and_a_call_written_while_thinking_is_not_a_call()
    {
        var run = ToolStreamRun.Of(ToolCallFormats.For(ToolCallFamily.Hermes),
        [
            new TextDelta("I could use <tool_call>{\"name\": \"ping\"}</tool_call>.", IsReasoning: true),
            new TextDelta("No need.", IsReasoning: false),
        ]);

        Assert.Equal("I could use <tool_call>{\"name\": \"ping\"}</tool_call>.", run.Reasoning);
        Assert.Equal("No need.", run.Content);
        Assert.False(run.Answer.HasToolCalls);
    }

    [Fact]
    public void After_the_answer_filter_a_thinking_block_is_reasoning_and_the_call_after_it_a_call()
    {
        var filter = new AnswerTextFilter([], startInThinking: false);
        var filtered = new List<TextDelta>();
        foreach (var piece in new[] { "<thi", "nk>Weather? Use <tool", "_call>.</thi", "nk>\n\n<tool_", "call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>" })
        {
            filter.Push(piece, filtered);
        }

        filter.Flush(filtered);
        var run = ToolStreamRun.Of(ToolCallFormats.For(ToolCallFamily.Hermes), filtered);

        Assert.Equal("Weather? Use <tool_call>.", run.Reasoning);
        Assert.Equal("", run.Content);
        Assert.Equal(["get_weather {\"city\":\"Oslo\"}"], run.Calls);
    }

    [Fact]
    public void Answer_without_a_call_keeps_its_trailing_whitespace()
    {
        var run = ToolStreamRun.Of(ToolCallFormats.For(ToolCallFamily.Hermes), ["Hi ", "there\n"]);

        Assert.Equal("Hi there\n", run.Content);
        Assert.False(run.Answer.HasToolCalls);
    }
}

public sealed class ToolCallParserSafetyTests
{
    /// <summary>A family parser that never decides anything but always asks to run again.</summary>
    private sealed class StuckParser : ToolCallParser
    {
        protected override bool Step() => true;
    }

    [Fact]
    public void Parser_that_stops_making_progress_shows_the_text_instead_of_spinning()
    {
        var stream = new ToolCallStream(new StuckParser(), () => "call_x");
        var output = new List<GenerationEvent>();

        stream.Push(new TextDelta("some text", IsReasoning: false), output);

        Assert.Equal("some text", Assert.IsType<TextDelta>(Assert.Single(output)).Text);
    }
}
