namespace Nexa.Engine.Tools;

/// <summary>
/// The fallback for templates of no known family: an answer that is one JSON object (fenced as ```json or not)
/// carries the calls, <c>{"tool_calls": [{"name": …, "arguments": …}, …]}</c>, <c>{"tool_call": {…}}</c> or a single
/// <c>{"name": …, "arguments": …}</c>. An answer that starts any other way is answer text, all of it.
/// </summary>
internal sealed class GenericJsonParser : ToolCallParser
{
    public const string ListKey = "tool_calls";
    public const string SingleKey = "tool_call";

    private static readonly string[] CallKeys = ["name", "arguments", "parameters", "type"];

    private State _state;
    private JsonCallReader _reader = new();
    private bool _fenced;
    private bool _list;
    private bool _wrapperOpen;
    private int _calls;

    private enum State { Start, Content, WrapperColon, ListOpen, Element, AfterElement, Call, WrapperClose, AfterObject }

    protected override bool Step() => _state switch
    {
        State.Start => ReadStart(),
        State.Content => ShowAll(),
        State.WrapperColon => ReadWrapperColon(),
        State.ListOpen => ReadListOpen(),
        State.Element => ReadElement(),
        State.AfterElement => ReadAfterElement(),
        State.Call => ReadCall(),
        State.WrapperClose => ReadWrapperClose(),
        _ => ReadAfterObject(),
    };

    private bool ReadStart()
    {
        var match = LeadingJson.FirstKey(Pending, out var key, out var objectStart);
        if (match == Markup.Match.Partial && !Final)
        {
            return false;
        }

        _state = State.Content;
        if (match != Markup.Match.Full)
        {
            return true;
        }

        _fenced = Pending[..objectStart].Contains(LeadingJson.Fence, StringComparison.Ordinal);
        _calls = 0;
        _wrapperOpen = false;
        if (CallKeys.Contains(key))
        {
            BeginHold();
            Eat(objectStart);
            _reader = new JsonCallReader();
            _state = State.Call;
        }
        else if (key is ListKey or SingleKey)
        {
            BeginHold();
            Eat(Pending.IndexOf('"', objectStart) + key.Length + 2);
            _list = key == ListKey;
            _wrapperOpen = true;
            _state = State.WrapperColon;
        }

        return true;
    }

    private bool ShowAll()
    {
        ShowContent(Pending.Length);
        return false;
    }

    private bool ReadWrapperColon()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (!Pending.StartsWith(':'))
        {
            return NotACall();
        }

        Eat(1);
        _reader = new JsonCallReader();
        _state = _list ? State.ListOpen : State.Call;
        return true;
    }

    private bool ReadListOpen()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (!Pending.StartsWith('['))
        {
            return NotACall();
        }

        Eat(1);
        _state = State.Element;
        return true;
    }

    private bool ReadElement()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (!Pending.StartsWith('{'))
        {
            return NotACall();
        }

        _reader = new JsonCallReader();
        _state = State.Call;
        return true;
    }

    private bool ReadCall()
    {
        var progress = ReadJsonCall(_reader);
        if (progress == CallProgress.Reading)
        {
            return false;
        }

        if (progress == CallProgress.NotACall || !_reader.IsDone)
        {
            _state = State.Content;
            return true;
        }

        _calls++;
        _state = _list ? State.AfterElement : State.AfterObject;
        return true;
    }

    private bool ReadAfterElement()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith(','))
        {
            Eat(1);
            BeginHold();
            _state = State.Element;
            return true;
        }

        if (Pending.StartsWith(']'))
        {
            Eat(1);
            _list = false;
            _state = State.WrapperClose;
            return true;
        }

        _state = State.Content;
        return Pending.Length > 0;
    }

    private bool ReadWrapperClose()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith('}'))
        {
            Eat(1);
            _wrapperOpen = false;
        }

        _state = State.AfterObject;
        return true;
    }

    private bool ReadAfterObject()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        // A wrapped single call still has its wrapper's brace to close.
        if (_wrapperOpen && Pending.StartsWith('}'))
        {
            Eat(1);
            _wrapperOpen = false;
            SkipSpace();
        }

        if (_fenced && Expect(LeadingJson.Fence) == Markup.Match.Partial)
        {
            return false;
        }

        _fenced = false;
        _state = State.Content;
        return Pending.Length > 0;
    }

    private bool NotACall()
    {
        if (_calls == 0)
        {
            Reject();
        }

        _state = State.Content;
        return true;
    }
}
