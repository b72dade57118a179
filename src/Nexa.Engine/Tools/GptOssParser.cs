namespace Nexa.Engine.Tools;

/// <summary>
/// gpt-oss (OpenAI's harmony format): the answer is a series of messages, each a header then
/// <c>&lt;|message|&gt;</c> then a body up to <c>&lt;|end|&gt;</c>, <c>&lt;|call|&gt;</c> or <c>&lt;|return|&gt;</c>.
/// The header names a channel and maybe a recipient: <c>analysis</c> is reasoning, <c>final</c> and a
/// <c>commentary</c> preamble are the answer, and a recipient <c>functions.NAME</c> (written after the channel,
/// <c>&lt;|channel|&gt;commentary to=functions.NAME &lt;|constrain|&gt;json</c>, or before it,
/// <c> to=functions.NAME&lt;|channel|&gt;commentary json</c>) makes the body a call's JSON arguments. A message to
/// another recipient (a built-in browser or python tool) is the model's own business: reasoning.
/// </summary>
internal sealed class GptOssParser : ToolCallParser
{
    public const string Start = "<|start|>";
    public const string Channel = "<|channel|>";
    public const string Message = "<|message|>";
    public const string Constrain = "<|constrain|>";
    public const string End = "<|end|>";
    public const string Call = "<|call|>";
    public const string Return = "<|return|>";
    public const string Recipient = " to=";
    public const string FunctionsPrefix = "functions.";
    private const int LongestHeader = 256;

    private static readonly string[] HeaderStarts = [Start, Channel, Recipient];
    private static readonly string[] BodyEnds = [End, Call, Return, Start, Channel];
    private static readonly string[] CallEnds = [Call, End, Return];

    private State _state;
    private bool _reasoningBody;
    private JsonValueScanner _value = new();

    private enum State { Between, Header, Body, CallArguments, AfterCall }

    protected override bool Step() => _state switch
    {
        State.Between => ReadBetween(),
        State.Header => ReadHeader(),
        State.Body => ReadBody(),
        State.CallArguments => ReadCallArguments(),
        _ => ReadAfterCall(),
    };

    private bool ReadBetween()
    {
        if (Pending.Length == 0)
        {
            return false;
        }

        var match = Markup.StartsWithAny(Pending, HeaderStarts, out _);
        if (match == Markup.Match.Partial && !Final)
        {
            return false;
        }

        if (match == Markup.Match.Full)
        {
            BeginHold();
            _state = State.Header;
            return true;
        }

        // Text outside any message (a model that skipped the header): answer text.
        _reasoningBody = false;
        _state = State.Body;
        return true;
    }

    private bool ReadHeader()
    {
        var at = Pending.IndexOf(Message, StringComparison.Ordinal);
        if (at < 0)
        {
            if (!Final && Pending.Length < LongestHeader)
            {
                return false;
            }

            // Not a header after all: it is answer text, shown now (left pending, it would be read as a header again).
            Reject();
            ShowContent(Pending.Length);
            _reasoningBody = false;
            _state = State.Body;
            return false;
        }

        var header = Pending[..at];
        Eat(at + Message.Length);
        var recipient = RecipientOf(header);
        if (recipient is not null && recipient.StartsWith(FunctionsPrefix, StringComparison.Ordinal) && recipient.Length > FunctionsPrefix.Length)
        {
            StartCall(recipient[FunctionsPrefix.Length..]);
            _value = new JsonValueScanner();
            _state = State.CallArguments;
            return true;
        }

        DropHeld();
        _reasoningBody = recipient is not null || ChannelOf(header) == "analysis";
        _state = State.Body;
        return true;
    }

    private bool ReadBody()
    {
        var at = Markup.FindEarliest(Pending, BodyEnds, out var end);
        var length = at >= 0 ? at : Pending.Length - (Final ? 0 : Markup.HeldTail(Pending, BodyEnds));
        if (_reasoningBody)
        {
            Sink.Reasoning(Pending[..length]);
            Eat(length);
        }
        else
        {
            ShowContent(length);
        }

        if (at < 0)
        {
            return false;
        }

        // The next message's <|start|> or <|channel|> is its header's; the end markers are this message's.
        if (end is not (Start or Channel))
        {
            Eat(end.Length);
        }

        _state = State.Between;
        return Pending.Length > 0;
    }

    private bool ReadCallArguments()
    {
        if (!StreamArguments(_value))
        {
            return false;
        }

        EndCall();
        _state = State.AfterCall;
        return true;
    }

    private bool ReadAfterCall()
    {
        if (!SkipSpace() && !Final)
        {
            return false;
        }

        if (ExpectAny(CallEnds, out _) == Markup.Match.Partial)
        {
            return false;
        }

        _state = State.Between;
        return Pending.Length > 0;
    }

    /// <summary>The word after <c>&lt;|channel|&gt;</c> in a header, or null.</summary>
    private static string? ChannelOf(string header)
    {
        var at = header.IndexOf(Channel, StringComparison.Ordinal);
        return at < 0 ? null : Word(header, at + Channel.Length);
    }

    /// <summary>What follows <c> to=</c> in a header (up to a space or the next marker), or null.</summary>
    private static string? RecipientOf(string header)
    {
        var at = header.IndexOf(Recipient, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + Recipient.Length;
        var end = start;
        while (end < header.Length && !char.IsWhiteSpace(header[end]) && header[end] != '<')
        {
            end++;
        }

        return end > start ? header[start..end] : null;
    }

    private static string Word(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            end++;
        }

        return text[start..end];
    }
}
