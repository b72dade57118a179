using System.Text;
using Nexa.Engine.Text;

namespace Nexa.Tests.Engine;

public sealed class AnswerTextFilterTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public void Stop_string_split_across_pieces_is_never_shown()
    {
        var (answer, _, filter) = Run(["STOP"], false, "Hel", "lo ST", "OP more");

        Assert.Equal("Hello ", answer);
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void Tail_that_may_start_a_stop_string_waits_until_it_is_decided()
    {
        var filter = new AnswerTextFilter(["STOP"], startInThinking: false);
        var output = new List<TextDelta>();

        filter.Push("ab S", output);
        Assert.Equal("ab ", Concat(output));

        filter.Push("Tx", output);
        Assert.Equal("ab STx", Concat(output));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Held_back_tail_is_shown_when_the_generation_ends()
    {
        var (answer, _, filter) = Run(["STOP"], false, "the end S");

        Assert.Equal("the end S", answer);
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Earliest_of_several_stop_strings_wins()
    {
        var (answer, _, _) = Run(["world", "lo w"], false, "hello world");

        Assert.Equal("hel", answer);
    }

    [Fact]
    public void Thinking_block_at_the_start_is_reasoning_even_with_split_tags()
    {
        var (answer, reasoning, _) = Run([], false, "<thi", "nk>Let me ", "see.</th", "ink>\n\n", "The answer.");

        Assert.Equal("Let me see.", reasoning);
        Assert.Equal("The answer.", answer);
    }

    [Fact]
    public void Thinking_tag_after_the_answer_started_is_plain_text()
    {
        var (answer, reasoning, _) = Run([], false, "Use ", "<think>x</think> tags");

        Assert.Equal("", reasoning);
        Assert.Equal("Use <think>x</think> tags", answer);
    }

    [Fact]
    public void Prompt_that_opened_thinking_starts_as_reasoning()
    {
        var (answer, reasoning, _) = Run([], true, "hmm", "</think>", "ok");

        Assert.Equal("hmm", reasoning);
        Assert.Equal("ok", answer);
    }

    [Fact]
    public void Stop_strings_end_the_answer_but_not_the_reasoning()
    {
        var (answer, reasoning, filter) = Run(["\n\n"], false, "<think>a\n\nb</think>", "c\n\nd");

        Assert.Equal("a\n\nb", reasoning);
        Assert.Equal("c", answer);
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void Unfinished_thinking_is_reasoning_when_the_generation_ends()
    {
        var (answer, reasoning, _) = Run([], false, "<think>still thin", "king</thi");

        Assert.Equal("still thinking</thi", reasoning);
        Assert.Equal("", answer);
    }

    [Fact]
    public void Multi_byte_text_and_stop_strings_never_split_a_character()
    {
        var filter = new AnswerTextFilter(["😀x"], startInThinking: false);
        var output = new List<TextDelta>();
        var seen = new List<string>();

        foreach (var piece in new[] { "héllo 你", "好 😀", "y 😀", "x tail" })
        {
            filter.Push(piece, output);
            seen.AddRange(output.Select(d => d.Text));
            output.Clear();
        }

        Assert.Equal("héllo 你好 😀y ", string.Concat(seen));
        Assert.All(seen, s => StrictUtf8.GetBytes(s));
        Assert.True(filter.Stopped);
    }

    private static (string Answer, string Reasoning, AnswerTextFilter Filter) Run(string[] stops, bool startInThinking, params string[] pieces)
    {
        var filter = new AnswerTextFilter(stops, startInThinking);
        var output = new List<TextDelta>();
        foreach (var piece in pieces)
        {
            filter.Push(piece, output);
        }

        filter.Flush(output);
        return (Concat(output.Where(d => !d.IsReasoning)), Concat(output.Where(d => d.IsReasoning)), filter);
    }

    private static string Concat(IEnumerable<TextDelta> deltas) => string.Concat(deltas.Select(d => d.Text));
}
