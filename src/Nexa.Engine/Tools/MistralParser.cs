namespace Nexa.Engine.Tools;

/// <summary>
/// Mistral, both markups after <c>[TOOL_CALLS]</c>: the older JSON array of call objects
/// (<c>[TOOL_CALLS][{"name": "f", "arguments": {…}, "id": "…"}, …]</c>, Mistral 7B v0.3, Nemo, Small 2409/2501)
/// and the newer name then arguments (<c>[TOOL_CALLS]f[ARGS]{…}</c>, or <c>f[CALL_ID]id[ARGS]{…}</c>; Small 3.2,
/// Magistral, Devstral, Ministral 3), one trigger per call. Which one follows is read from the text, whatever the
/// template said. The model's own call ids are not used (see <see cref="ToolCallFormat.NewCallId"/>). A leading
/// <c>[THINK]…[/THINK]</c> block (Magistral) is reasoning.
/// </summary>
internal sealed class MistralParser(bool thinking) : ToolCallParser
{
    public const string CallsOpen = "[TOOL_CALLS]";
    public const string ArgsMarker = "[ARGS]";
    public const string CallIdMarker = "[CALL_ID]";
    public const string ThinkOpen = "[THINK]";
    public const string ThinkClose = "[/THINK]";
    private const int LongestName = 128;

    private static readonly string[] ContentMarkers = [CallsOpen];
    private static readonly string[] ThinkEnd = [ThinkClose];
    private static readonly string[] NameEnds = [ArgsMarker, CallIdMarker, "{"];

    private State _state;
    private JsonCallReader _reader = new();
    private JsonValueScanner _value = new();
    private bool _arrayCalled;

    private enum State { Start, Thinking, Content, AfterTrigger, ArrayElementStart, ArrayElement, ArrayAfterElement, SingleObject, Name, CallId, Arguments }

    protected override bool Step() => _state switch
    {
        State.Start => ReadStart(),
        State.Thinking => ReadThinking(),
        State.Content => ReadContent(),
        State.AfterTrigger => ReadAfterTrigger(),
        State.ArrayElementStart => ReadArrayElementStart(),
        State.ArrayElement or State.SingleObject => ReadObject(),
        State.ArrayAfterElement => ReadArrayAfterElement(),
        State.Name => ReadName(),
        State.CallId => ReadCallId(),
        _ => ReadArguments(),
    };

    private bool ReadStart()
    {
        if (!thinking)
        {
            _state = State.Content;
            return true;
        }

        var start = Markup.StartsWith(Pending.TrimStart(), ThinkOpen);
        if (start == Markup.Match.Partial && !Final)
        {
            return false;
        }

        if (start == Markup.Match.Full)
        {
            Eat(Pending.Length - Pending.TrimStart().Length + ThinkOpen.Length);
            _state = State.Thinking;
            return true;
        }

        _state = State.Content;
        return true;
    }

    private bool ReadThinking()
    {
        var at = Pending.IndexOf(ThinkClose, StringComparison.Ordinal);
        var length = at >= 0 ? at : Pending.Length - (Final ? 0 : Markup.HeldTail(Pending, ThinkEnd));
        Sink.Reasoning(Pending[..length]);
        Eat(length);
        if (at < 0)
        {
            return false;
        }

        Eat(ThinkClose.Length);
        _state = State.Content;
        return true;
    }

    private bool ReadContent()
    {
        if (ShowContentUntil(ContentMarkers) is null)
        {
            return false;
        }

        BeginHold();
        Eat(CallsOpen.Length);
        _state = State.AfterTrigger;
        return true;
    }

    private bool ReadAfterTrigger()
    {
        if (!SkipSpace())
        {
            return NotACallAtEnd();
        }

        switch (Pending[0])
        {
            case '[':
                Eat(1);
                _arrayCalled = false;
                _state = State.ArrayElementStart;
                return true;
            case '{':
                _reader = new JsonCallReader();
                _state = State.SingleObject;
                return true;
            default:
                _state = State.Name;
                return true;
        }
    }

    private bool ReadArrayElementStart()
    {
        if (!SkipSpace())
        {
            return NotACallAtEnd();
        }

        if (Pending[0] == '{')
        {
            _reader = new JsonCallReader();
            _state = State.ArrayElement;
            return true;
        }

        if (Pending[0] == ']' && _arrayCalled)
        {
            Eat(1);
        }
        else
        {
            Reject();
        }

        _state = State.Content;
        return true;
    }

    private bool ReadObject()
    {
        var progress = ReadJsonCall(_reader);
        if (progress == CallProgress.Reading)
        {
            return false;
        }

        _arrayCalled |= progress == CallProgress.Ended;
        _state = _state == State.ArrayElement && progress == CallProgress.Ended && _reader.IsDone ? State.ArrayAfterElement : State.Content;
        return true;
    }

    private bool ReadArrayAfterElement()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith(','))
        {
            Eat(1);
            BeginHold();
            _state = State.ArrayElementStart;
            return true;
        }

        if (Pending.StartsWith(']'))
        {
            Eat(1);
        }

        _state = State.Content;
        return Pending.Length > 0;
    }

    private bool ReadName()
    {
        var at = Markup.FindEarliest(Pending, NameEnds, out var end);
        var name = at >= 0 ? Pending[..at] : Pending;
        if (name.Any(char.IsWhiteSpace) || name.Length > LongestName || (at < 0 && Final) || (at == 0))
        {
            Reject();
            _state = State.Content;
            return true;
        }

        if (at < 0)
        {
            return false;
        }

        StartCall(name);
        Eat(at + (end == "{" ? 0 : end.Length));
        _value = new JsonValueScanner();
        _state = end == CallIdMarker ? State.CallId : State.Arguments;
        return true;
    }

    private bool ReadCallId()
    {
        var at = Pending.IndexOf(ArgsMarker, StringComparison.Ordinal);
        if (at >= 0)
        {
            Eat(at + ArgsMarker.Length);
            _state = State.Arguments;
            return true;
        }

        if (!Final && Pending.Length < LongestName)
        {
            return false;
        }

        EndCall();
        _state = State.Content;
        return true;
    }

    private bool ReadArguments()
    {
        if (!StreamArguments(_value))
        {
            return false;
        }

        EndCall();
        _state = State.Content;
        return Pending.Length > 0;
    }

    /// <summary>Nothing but whitespace after the trigger so far: wait, or at the end show the held trigger as text.</summary>
    private bool NotACallAtEnd()
    {
        if (!Final)
        {
            return false;
        }

        Reject();
        _state = State.Content;
        return false;
    }
}
