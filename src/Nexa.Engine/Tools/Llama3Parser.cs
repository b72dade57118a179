namespace Nexa.Engine.Tools;

/// <summary>
/// Llama 3.1–3.3. A call is the answer itself, a JSON object <c>{"name": "f", "parameters": {…}}</c> (optionally
/// with <c>"type": "function"</c> first, several separated by whitespace or ';'), or follows
/// <c>&lt;|python_tag|&gt;</c> anywhere in the answer: as such an object, or in the built-in tools' form
/// <c>brave_search.call(query="…")</c>, whose keyword arguments become the arguments object.
/// </summary>
internal sealed class Llama3Parser(bool pythonTag) : ToolCallParser
{
    public const string PythonTag = "<|python_tag|>";
    private const string BuiltinCall = ".call(";
    private const int LongestName = 128;

    private static readonly string[] LeadingKeys = ["name", "type"];
    private static readonly string[] ContentMarkers = [PythonTag];

    private State _state;
    private JsonCallReader _reader = new();
    private JsonValueScanner _value = new();
    private bool _leading;
    private bool _fenced;
    private int _arguments;

    private enum State { Start, Content, Call, AfterLeadingCall, PythonStart, BuiltinKey, BuiltinValue, BuiltinAfterValue }

    protected override bool Step() => _state switch
    {
        State.Start => ReadStart(),
        State.Content => ReadContent(),
        State.Call => ReadCall(),
        State.AfterLeadingCall => ReadAfterLeadingCall(),
        State.PythonStart => ReadPythonStart(),
        State.BuiltinKey => ReadBuiltinKey(),
        State.BuiltinValue => ReadBuiltinValue(),
        _ => ReadBuiltinAfterValue(),
    };

    private bool ReadStart()
    {
        var match = LeadingJson.FirstKey(Pending, out var key, out var objectStart);
        if (match == Markup.Match.Partial && !Final)
        {
            return false;
        }

        if (match == Markup.Match.Full && LeadingKeys.Contains(key))
        {
            _fenced = Pending[..objectStart].Contains(LeadingJson.Fence, StringComparison.Ordinal);
            BeginHold();
            Eat(objectStart);
            _reader = new JsonCallReader(firstKeys: LeadingKeys);
            _leading = true;
            _state = State.Call;
            return true;
        }

        _state = State.Content;
        return Pending.Length > 0;
    }

    private bool ReadContent()
    {
        if (!pythonTag)
        {
            ShowContent(Pending.Length);
            return false;
        }

        if (ShowContentUntil(ContentMarkers) is null)
        {
            return false;
        }

        BeginHold();
        Eat(PythonTag.Length);
        _state = State.PythonStart;
        return true;
    }

    private bool ReadCall()
    {
        var progress = ReadJsonCall(_reader);
        if (progress == CallProgress.Reading)
        {
            return false;
        }

        _state = progress == CallProgress.Ended && _leading && _reader.IsDone ? State.AfterLeadingCall : State.Content;
        return true;
    }

    private bool ReadAfterLeadingCall()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (_fenced)
        {
            var fence = Expect(LeadingJson.Fence);
            if (fence == Markup.Match.Partial)
            {
                return false;
            }

            _fenced = false;
            SkipSpace();
        }

        if (Pending.StartsWith(';'))
        {
            Eat(1);
        }

        // Another object may follow (parallel calls); anything else is answer text.
        _state = State.Start;
        return Pending.Length > 0;
    }

    private bool ReadPythonStart()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith('{'))
        {
            _reader = new JsonCallReader();
            _leading = false;
            _state = State.Call;
            return true;
        }

        var length = 0;
        while (length < Pending.Length && (char.IsAsciiLetterOrDigit(Pending[length]) || Pending[length] == '_'))
        {
            length++;
        }

        var call = Markup.StartsWith(Pending[length..], BuiltinCall);
        if (call == Markup.Match.Partial && !Final && length < LongestName)
        {
            return false;
        }

        if (call != Markup.Match.Full || length == 0)
        {
            Reject();
            _state = State.Content;
            return true;
        }

        var name = Pending[..length];
        Eat(length + BuiltinCall.Length);
        StartCall(name);
        Sink.Arguments("{");
        _arguments = 0;
        _state = State.BuiltinKey;
        return true;
    }

    private bool ReadBuiltinKey()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith(')'))
        {
            Eat(1);
            return CloseBuiltin();
        }

        var equals = Pending.IndexOf('=');
        if (equals < 0 && !Final && Pending.Length < LongestName)
        {
            return false;
        }

        var key = equals < 0 ? "" : Pending[..equals].Trim();
        if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return CloseBuiltin();
        }

        Eat(equals + 1);
        Sink.Arguments((_arguments++ == 0 ? "" : ", ") + "\"" + key + "\": ");
        _value = new JsonValueScanner();
        _state = State.BuiltinValue;
        return true;
    }

    private bool ReadBuiltinValue()
    {
        if (!StreamArguments(_value))
        {
            return false;
        }

        _state = State.BuiltinAfterValue;
        return true;
    }

    private bool ReadBuiltinAfterValue()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (Pending.StartsWith(','))
        {
            Eat(1);
            _state = State.BuiltinKey;
            return true;
        }

        if (Pending.StartsWith(')'))
        {
            Eat(1);
        }

        return CloseBuiltin();
    }

    private bool CloseBuiltin()
    {
        Sink.Arguments("}");
        EndCall();
        _state = State.Content;
        return Pending.Length > 0;
    }
}
