using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>
/// Qwen3-Coder: XML-like calls whose parameter values are raw text,
/// <c>&lt;tool_call&gt;\n&lt;function=NAME&gt;\n&lt;parameter=P&gt;\nVALUE\n&lt;/parameter&gt;\n&lt;/function&gt;\n&lt;/tool_call&gt;</c>.
/// The arguments JSON is built as the values arrive, member by member: a string parameter streams as a JSON
/// string; another type (from the tool's schema) is parsed as JSON when its value ends, and kept as a string if it
/// does not parse. One newline after the opening tag and one before the closing tag are layout, not value.
/// </summary>
internal sealed class Qwen3CoderParser(IReadOnlyList<ChatTool> tools) : ToolCallParser
{
    public const string FunctionOpen = "<function=";
    public const string ParameterOpen = "<parameter=";
    private const string FunctionClose = "</function>";
    private const string ParameterClose = "</parameter>";
    private const int LongestName = 256;

    private static readonly string[] OpenMarkers = [HermesParser.Open];
    private static readonly string[] BodyMarkers = [ParameterOpen, FunctionClose];
    private static readonly string[] AfterFunctionMarkers = [HermesParser.Close, FunctionOpen];
    private static readonly string[] ValueEnds = ["\n" + ParameterClose, ParameterClose, "\n" + ParameterOpen, ParameterOpen, "\n" + FunctionClose, FunctionClose];
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, ParameterKind>> _kinds = ToolParameters.KindsByTool(tools);
    private readonly StringBuilder _rawValue = new();
    private State _state;
    private JsonCallReader? _jsonCall;
    private string _function = "";
    private ParameterKind _kind;
    private int _parameters;

    private enum State { Content, BlockStart, JsonCall, FunctionName, Body, ParameterName, ValueStart, StringValue, RawValue, AfterFunction }

    protected override bool Step() => _state switch
    {
        State.Content => ReadContent(),
        State.BlockStart => ReadBlockStart(),
        State.JsonCall => ReadJsonCall(),
        State.FunctionName => ReadFunctionName(),
        State.Body => ReadBody(),
        State.ParameterName => ReadParameterName(),
        State.ValueStart => ReadValueStart(),
        State.StringValue or State.RawValue => ReadValue(),
        _ => ReadAfterFunction(),
    };

    private bool ReadContent()
    {
        if (ShowContentUntil(OpenMarkers) is null)
        {
            return false;
        }

        BeginHold();
        Eat(HermesParser.Open.Length);
        _state = State.BlockStart;
        return true;
    }

    private bool ReadBlockStart()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        // Some fine-tunes write Hermes' JSON object inside the tag: read it as such.
        if (Pending.StartsWith('{'))
        {
            _jsonCall = new JsonCallReader();
            _state = State.JsonCall;
            return true;
        }

        switch (Expect(FunctionOpen))
        {
            case Markup.Match.Full:
                _state = State.FunctionName;
                return true;
            case Markup.Match.Partial:
                return false;
            default:
                Reject();
                _state = State.Content;
                return true;
        }
    }

    private bool ReadJsonCall()
    {
        var progress = ReadJsonCall(_jsonCall!);
        if (progress == CallProgress.Reading)
        {
            return false;
        }

        _state = progress == CallProgress.Ended && _jsonCall!.IsDone ? State.AfterFunction : State.Content;
        return true;
    }

    private bool ReadFunctionName()
    {
        var name = ReadName();
        if (name is null)
        {
            return false;
        }

        if (name.Length == 0)
        {
            Reject();
            _state = State.Content;
            return true;
        }

        _function = name;
        _parameters = 0;
        StartCall(name);
        Sink.Arguments("{");
        _state = State.Body;
        return true;
    }

    private bool ReadBody()
    {
        // At the end of the answer an open call stays unfinished (its arguments unclosed): it was cut off.
        if (!SkipSpace())
        {
            return false;
        }

        switch (ExpectAny(BodyMarkers, out var marker))
        {
            case Markup.Match.Full when marker == ParameterOpen:
                _state = State.ParameterName;
                return true;
            case Markup.Match.Full:
                CloseFunction();
                _state = State.AfterFunction;
                return true;
            case Markup.Match.Partial:
                return false;
            default:
                // Not markup: the call is over, and what follows is answer text.
                CloseFunction();
                _state = State.Content;
                return Pending.Length > 0;
        }
    }

    private bool ReadParameterName()
    {
        var name = ReadName();
        if (name is null)
        {
            // Cut off inside the tag: the markup is dropped and the call stays unfinished.
            Eat(Final ? Pending.Length : 0);
            return false;
        }

        if (name.Length == 0)
        {
            CloseFunction();
            _state = State.Content;
            return true;
        }

        Sink.Arguments((_parameters++ == 0 ? "" : ", ") + JsonSerializer.Serialize(name, JsonOptions) + ": ");
        _kind = _kinds.TryGetValue(_function, out var kinds) && kinds.TryGetValue(name, out var kind) ? kind : ParameterKind.Unknown;
        _state = State.ValueStart;
        return true;
    }

    private bool ReadValueStart()
    {
        if (Pending.Length == 0)
        {
            return false;
        }

        if (Pending.StartsWith('\n'))
        {
            Eat(1);
        }

        _rawValue.Clear();
        if (_kind == ParameterKind.String)
        {
            Sink.Arguments("\"");
            _state = State.StringValue;
        }
        else
        {
            _state = State.RawValue;
        }

        return true;
    }

    private bool ReadValue()
    {
        var at = Markup.FindEarliest(Pending, ValueEnds, out var end);
        var length = at >= 0 ? at : Pending.Length - (Final ? 0 : Markup.HeldTail(Pending, ValueEnds));
        var text = Pending[..length];
        if (_state == State.StringValue)
        {
            Sink.Arguments(Encoder.Encode(text));
        }
        else
        {
            _rawValue.Append(text);
        }

        Eat(length);
        if (at < 0)
        {
            return false;
        }

        EndValue();
        if (at >= 0)
        {
            // The closing tag is eaten; the start of another parameter or of </function> is left for the body.
            Eat(end.EndsWith(ParameterClose, StringComparison.Ordinal) ? end.Length : end.StartsWith('\n') ? 1 : 0);
        }

        _state = State.Body;
        return true;
    }

    private void EndValue()
    {
        if (_state == State.StringValue)
        {
            Sink.Arguments("\"");
            return;
        }

        var raw = _rawValue.ToString().Trim();
        Sink.Arguments(_kind != ParameterKind.String && IsJson(raw) ? raw : JsonSerializer.Serialize(raw, JsonOptions));
    }

    private bool ReadAfterFunction()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        switch (ExpectAny(AfterFunctionMarkers, out var marker))
        {
            case Markup.Match.Full when marker == FunctionOpen:
                // Another function in the same block: parallel calls written together.
                _state = State.FunctionName;
                return true;
            case Markup.Match.Partial:
                return false;
            default:
                _state = State.Content;
                return Pending.Length > 0;
        }
    }

    private void CloseFunction()
    {
        Sink.Arguments("}");
        EndCall();
    }

    /// <summary>A tag's name up to its '>' (eaten); null while it may go on (or the answer ended inside it), "" when it is not a name.</summary>
    private string? ReadName()
    {
        var close = Pending.IndexOf('>');
        var bad = Pending.AsSpan().IndexOfAny('<', '\n');
        if (close >= 0 && (bad < 0 || close < bad))
        {
            var name = Pending[..close].Trim();
            Eat(close + 1);
            return name;
        }

        return bad >= 0 || Pending.Length > LongestName ? "" : null;
    }

    private static bool IsJson(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = Encoder };
}
