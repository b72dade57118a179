using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>
/// One answer's text, as it streams, split into answer text, reasoning and tool calls in its model family's markup.
/// It sits after <see cref="AnswerTextFilter"/>: that filter has already taken stop strings and the leading
/// &lt;think&gt; block out, so reasoning pieces pass straight through (a call written inside &lt;think&gt; is
/// thinking, not a call) and answer pieces are parsed. Events are append-only: answer text, reasoning, and per call
/// its id and name first, then its argument pieces. Markup is never shown; text held back because it might open a
/// call is shown once it turns out not to.
/// </summary>
public sealed class ToolCallStream
{
    private readonly ToolCallParser _parser;
    private readonly ToolCallSink _sink;
    private ToolCallAnswer? _answer;

    internal ToolCallStream(ToolCallParser parser, Func<string> newCallId)
    {
        _parser = parser;
        _sink = new ToolCallSink(newCallId);
    }

    /// <summary>Adds a piece from the answer filter and appends to <paramref name="output"/> what can be shown now.</summary>
    public void Push(TextDelta delta, List<GenerationEvent> output)
    {
        if (_answer is not null)
        {
            throw new InvalidOperationException("the answer has already finished");
        }

        _sink.WriteTo(output);
        if (delta.IsReasoning)
        {
            _sink.Reasoning(delta.Text);
        }
        else
        {
            _parser.Push(delta.Text, _sink);
        }
    }

    /// <summary>The answer ended: appends what was held back and returns the whole answer, parsed.</summary>
    public ToolCallAnswer Finish(List<GenerationEvent> output)
    {
        if (_answer is null)
        {
            _sink.WriteTo(output);
            _parser.Finish(_sink);
            _answer = _sink.Finish();
        }

        return _answer;
    }
}
