using System.Text;

namespace Nexa.Engine.Tools;

/// <summary>
/// The base of every family's streaming parser: a buffer of text not yet decided, and the moves all families make.
/// A family reads markup step by step; text that may still turn out to open a call is held (never shown, never
/// lost): once the call's name is known the held markup is dropped and the call starts, and if it turns out not to
/// be a call the held text is shown as answer text after all. Nothing is shown twice or taken back.
/// </summary>
internal abstract class ToolCallParser
{
    private const int MostIdleSteps = 64;

    private readonly StringBuilder _held = new();
    private string _pending = "";
    private bool _holding;
    private bool _callStarted;
    private ToolCallSink _sink = null!;

    /// <summary>Text received and not yet decided.</summary>
    protected string Pending => _pending;

    protected ToolCallSink Sink => _sink;

    /// <summary>The answer has ended: a step may no longer wait for more text.</summary>
    protected bool Final { get; private set; }

    public void Push(string text, ToolCallSink sink)
    {
        _sink = sink;
        _pending += text;
        Run();
    }

    public void Finish(ToolCallSink sink)
    {
        _sink = sink;
        Final = true;
        Run();
        if (_callStarted)
        {
            EndCall();
        }

        Reject();
        Sink.Content(_pending);
        _pending = "";
    }

    private void Run()
    {
        // A step that asks to run again without taking any text only changes state; a family never needs many of
        // those in a row. Should one ever loop, the text is shown rather than a server thread spinning forever.
        var idle = 0;
        var length = _pending.Length;
        while (Step())
        {
            idle = _pending.Length == length ? idle + 1 : 0;
            length = _pending.Length;
            if (idle > MostIdleSteps)
            {
                Reject();
                ShowContent(_pending.Length);
                return;
            }
        }
    }

    /// <summary>Reads as much of <see cref="Pending"/> as it can decide.</summary>
    /// <returns>True to be called again (it made progress and more may be decidable).</returns>
    protected abstract bool Step();

    /// <summary>Takes <paramref name="count"/> characters off the pending text: held while a call is being recognised, else dropped as markup.</summary>
    protected void Eat(int count)
    {
        if (_holding)
        {
            _held.Append(_pending, 0, count);
        }

        _pending = _pending[count..];
    }

    /// <summary>Shows the first <paramref name="count"/> pending characters as answer text.</summary>
    protected void ShowContent(int count)
    {
        Sink.Content(_pending[..count]);
        _pending = _pending[count..];
    }

    /// <summary>From here on, text eaten may open a call: keep it until <see cref="StartCall"/> or <see cref="Reject"/>.</summary>
    protected void BeginHold() => _holding = true;

    /// <summary>What was held is not a call after all: show it as answer text.</summary>
    protected void Reject()
    {
        _holding = false;
        Sink.Content(_held.ToString());
        _held.Clear();
    }

    /// <summary>The held text was markup after all (not a call, not answer text): drop it.</summary>
    protected void DropHeld()
    {
        _holding = false;
        _held.Clear();
    }

    /// <summary>The held markup is a call to <paramref name="name"/>: it is dropped and the call starts.</summary>
    protected void StartCall(string name)
    {
        _holding = false;
        _held.Clear();
        Sink.StartCall(name);
        _callStarted = true;
    }

    protected void EndCall()
    {
        Sink.EndCall();
        _callStarted = false;
    }

    /// <summary>
    /// Shows answer text up to the first of <paramref name="markers"/> and returns that marker (not eaten), or null
    /// when none is there yet (a tail that may begin one is kept for the next text).
    /// </summary>
    protected string? ShowContentUntil(IReadOnlyList<string> markers)
    {
        var at = Markup.FindEarliest(_pending, markers, out var marker);
        if (at >= 0)
        {
            ShowContent(at);
            return marker;
        }

        var keep = Final ? 0 : Markup.HeldTail(_pending, markers);
        ShowContent(_pending.Length - keep);
        return null;
    }

    /// <summary>Eats whitespace; true when something other than whitespace is next.</summary>
    protected bool SkipSpace()
    {
        var count = 0;
        while (count < _pending.Length && char.IsWhiteSpace(_pending[count]))
        {
            count++;
        }

        Eat(count);
        return _pending.Length > 0;
    }

    /// <summary>Eats <paramref name="literal"/> if the pending text starts with it; Partial while it may still come (None at the end).</summary>
    protected Markup.Match Expect(string literal)
    {
        var match = Markup.StartsWith(_pending, literal);
        if (match == Markup.Match.Full)
        {
            Eat(literal.Length);
        }

        return match == Markup.Match.Partial && Final ? Markup.Match.None : match;
    }

    /// <summary>Like <see cref="Expect"/> for the first of several literals that matches.</summary>
    protected Markup.Match ExpectAny(IReadOnlyList<string> literals, out string literal)
    {
        var match = Markup.StartsWithAny(_pending, literals, out literal);
        if (match == Markup.Match.Full)
        {
            Eat(literal.Length);
        }

        return match == Markup.Match.Partial && Final ? Markup.Match.None : match;
    }

    protected enum CallProgress
    {
        /// <summary>More text is needed.</summary>
        Reading,

        /// <summary>The call ended (complete, or broken after it had started: then the rest is answer text again).</summary>
        Ended,

        /// <summary>The held text was not a call and has been shown as answer text.</summary>
        NotACall,
    }

    /// <summary>
    /// Feeds pending text to a call object reader: the call starts once its name is known (held text dropped), its
    /// arguments stream, and it ends with the object. An object that ends or breaks before naming a function is
    /// not a call.
    /// </summary>
    protected CallProgress ReadJsonCall(JsonCallReader reader)
    {
        Eat(reader.Feed(_pending));
        if (Final)
        {
            reader.EndOfText();
        }

        if (!_callStarted && reader.Name is not null)
        {
            StartCall(reader.Name);
        }

        if (!_callStarted)
        {
            if (reader.IsFailed || reader.IsDone || Final)
            {
                Reject();
                return CallProgress.NotACall;
            }

            return CallProgress.Reading;
        }

        Sink.Arguments(reader.TakeArguments());
        if (reader.IsFailed || reader.IsDone || Final)
        {
            EndCall();
            return CallProgress.Ended;
        }

        return CallProgress.Reading;
    }

    /// <summary>
    /// Streams a JSON arguments value (not inside a call object: the family's markup named the function) as the
    /// pieces of the started call (whitespace before it is markup); true once it ended (or broke, or the answer ended).
    /// </summary>
    protected bool StreamArguments(JsonValueScanner value)
    {
        if (value.FirstCharacter is null && !SkipSpace() && !Final)
        {
            return false;
        }

        var used = value.Read(_pending);
        Sink.Arguments(_pending[..used]);
        _pending = _pending[used..];
        if (Final)
        {
            value.EndOfText();
        }

        return value.IsComplete || value.IsBroken || Final;
    }
}
