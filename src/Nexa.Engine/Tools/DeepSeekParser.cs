namespace Nexa.Engine.Tools;

/// <summary>
/// DeepSeek R1 and V3: calls inside <c>&lt;｜tool▁calls▁begin｜&gt; … &lt;｜tool▁calls▁end｜&gt;</c>, each
/// <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME\n```json\n{…}\n```&lt;｜tool▁call▁end｜&gt;</c>; also V3.1's
/// shorter <c>&lt;｜tool▁call▁begin｜&gt;NAME&lt;｜tool▁sep｜&gt;{…}&lt;｜tool▁call▁end｜&gt;</c>. The markers use fullwidth
/// bars (U+FF5C) and U+2581 for spaces. The distilled models' misspellings of the opening marker are accepted.
/// </summary>
internal sealed class DeepSeekParser : ToolCallParser
{
    public const string CallsBegin = "<｜tool▁calls▁begin｜>";
    public const string CallsEnd = "<｜tool▁calls▁end｜>";
    public const string CallBegin = "<｜tool▁call▁begin｜>";
    public const string CallEnd = "<｜tool▁call▁end｜>";
    public const string Separator = "<｜tool▁sep｜>";
    public const string FunctionType = "function";
    private const int LongestName = 128;

    /// <summary>The opening marker and the variants R1's distilled models write instead.</summary>
    public static readonly string[] CallsBeginVariants = [CallsBegin, "<｜tool_calls_begin｜>", "<｜tool calls begin｜>", "<｜tool\\_calls\\_begin｜>", "<｜tool▁calls｜>"];

    private static readonly string[] BlockMarkers = [CallsEnd, CallBegin];

    private State _state;
    private JsonValueScanner _value = new();
    private bool _fenced;
    private int _callsInBlock;

    private enum State { Content, Block, CallHead, Name, ArgumentsStart, Arguments, AfterArguments }

    protected override bool Step() => _state switch
    {
        State.Content => ReadContent(),
        State.Block => ReadBlock(),
        State.CallHead => ReadCallHead(),
        State.Name => ReadName(),
        State.ArgumentsStart => ReadArgumentsStart(),
        State.Arguments => ReadArguments(),
        _ => ReadAfterArguments(),
    };

    private bool ReadContent()
    {
        var marker = ShowContentUntil(CallsBeginVariants);
        if (marker is null)
        {
            return false;
        }

        BeginHold();
        Eat(marker.Length);
        _callsInBlock = 0;
        _state = State.Block;
        return true;
    }

    private bool ReadBlock()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        switch (ExpectAny(BlockMarkers, out var marker))
        {
            case Markup.Match.Full when marker == CallBegin:
                _state = State.CallHead;
                return true;
            case Markup.Match.Full:
                return EndBlock();
            case Markup.Match.Partial:
                return false;
        }

        // R1 may leave out <｜tool▁call▁begin｜> and start with "function<｜tool▁sep｜>".
        if (Pending.Length > 0 && !Pending.StartsWith('<'))
        {
            _state = State.CallHead;
            return true;
        }

        return EndBlock();
    }

    private bool ReadCallHead()
    {
        var at = Pending.IndexOf(Separator, StringComparison.Ordinal);
        if (at < 0)
        {
            var broken = Pending.Contains('\n') || Pending.Length > LongestName + Separator.Length || Final;
            return broken ? NotACall() : false;
        }

        var head = Pending[..at].Trim();
        if (head.Length == 0 || head.Contains('\n') || head.Contains('<'))
        {
            return NotACall();
        }

        Eat(at + Separator.Length);
        if (head == FunctionType)
        {
            _state = State.Name;
            return true;
        }

        return Start(head);
    }

    private bool ReadName()
    {
        var at = Pending.IndexOf('\n');
        if (at < 0)
        {
            return Pending.Length > LongestName || Final ? NotACall() : false;
        }

        var name = Pending[..at].Trim();
        if (name.Length == 0 || name.Contains('<'))
        {
            return NotACall();
        }

        Eat(at + 1);
        return Start(name);
    }

    private bool Start(string name)
    {
        StartCall(name);
        _callsInBlock++;
        _fenced = false;
        _state = State.ArgumentsStart;
        return true;
    }

    private bool ReadArgumentsStart()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        var fence = Markup.StartsWith(Pending, LeadingJson.Fence);
        if (fence == Markup.Match.Partial && !Final)
        {
            return false;
        }

        if (fence == Markup.Match.Full)
        {
            var tagEnd = LeadingJson.Fence.Length;
            while (tagEnd < Pending.Length && char.IsAsciiLetter(Pending[tagEnd]))
            {
                tagEnd++;
            }

            if (tagEnd == Pending.Length && !Final)
            {
                return false;
            }

            Eat(tagEnd);
            _fenced = true;
            SkipSpace();
        }

        _value = new JsonValueScanner();
        _state = State.Arguments;
        return true;
    }

    private bool ReadArguments()
    {
        if (!StreamArguments(_value))
        {
            return false;
        }

        EndCall();
        _state = State.AfterArguments;
        return true;
    }

    private bool ReadAfterArguments()
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
            if (!SkipSpace() && !Final)
            {
                return false;
            }
        }

        var end = Expect(CallEnd);
        if (end == Markup.Match.Partial)
        {
            return false;
        }

        _state = end == Markup.Match.Full ? State.Block : State.Content;
        return Pending.Length > 0;
    }

    private bool EndBlock()
    {
        // A block with no call in it was not a call: show it.
        if (_callsInBlock == 0)
        {
            Reject();
        }

        _state = State.Content;
        return true;
    }

    private bool NotACall()
    {
        if (_callsInBlock == 0)
        {
            Reject();
        }

        _state = State.Content;
        return true;
    }
}
