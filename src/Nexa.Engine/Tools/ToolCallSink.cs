using System.Text;
using System.Text.Json;
using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>
/// Where a family's parser puts what it recognises, in order: answer text, reasoning, and tool calls (a start, then
/// argument pieces, then an end). It numbers the calls, gives each an id, turns everything into append-only
/// events and keeps the totals for <see cref="ToolCallAnswer"/>.
/// </summary>
/// <remarks>
/// Trailing whitespace of answer text is held until the next thing decides it: more text shows it, a call drops it
/// (the blank line a model writes before a call, or between two, is layout of the markup, not answer), and the end
/// of an answer that called a tool drops it too. Whitespace after a call is kept only between two texts.
/// </remarks>
internal sealed class ToolCallSink(Func<string> newCallId)
{
    private readonly StringBuilder _content = new();
    private readonly StringBuilder _reasoning = new();
    private readonly List<ParsedToolCall> _calls = [];
    private readonly StringBuilder _arguments = new();
    private List<GenerationEvent> _output = [];
    private string _heldSpace = "";
    private string? _callId;
    private string? _callName;
    private bool _afterCall;

    /// <summary>The list that events go to until the next call of this method.</summary>
    public void WriteTo(List<GenerationEvent> output) => _output = output;

    public bool InCall => _callId is not null;

    public void Content(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_afterCall)
        {
            // Whitespace right after a call separates it from earlier text; with no text before, it is layout.
            var start = 0;
            while (start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            if (start == text.Length)
            {
                _heldSpace += text;
                return;
            }

            _afterCall = false;
            if (_content.Length == 0)
            {
                _heldSpace = "";
                text = text[start..];
            }
        }

        var end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end == 0)
        {
            _heldSpace += text;
            return;
        }

        var shown = _heldSpace + text[..end];
        _heldSpace = text[end..];
        _content.Append(shown);
        if (_output.Count > 0 && _output[^1] is TextDelta { IsReasoning: false } last)
        {
            _output[^1] = last with { Text = last.Text + shown };
        }
        else
        {
            _output.Add(new TextDelta(shown, IsReasoning: false));
        }
    }

    public void Reasoning(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        _reasoning.Append(text);
        if (_output.Count > 0 && _output[^1] is TextDelta { IsReasoning: true } last)
        {
            _output[^1] = last with { Text = last.Text + text };
        }
        else
        {
            _output.Add(new TextDelta(text, IsReasoning: true));
        }
    }

    /// <summary>A call to <paramref name="name"/> begins: its first delta (index, id, name) goes out now.</summary>
    public void StartCall(string name)
    {
        if (InCall)
        {
            EndCall();
        }

        _heldSpace = "";
        _callId = newCallId();
        _callName = name;
        _arguments.Clear();
        _output.Add(new ToolCallDelta(_calls.Count, _callId, name, ""));
    }

    public void Arguments(string piece)
    {
        if (!InCall || piece.Length == 0)
        {
            return;
        }

        _arguments.Append(piece);
        var index = _calls.Count;
        if (_output.Count > 0 && _output[^1] is ToolCallDelta { Id: null } last && last.Index == index)
        {
            _output[^1] = last with { Arguments = last.Arguments + piece };
        }
        else
        {
            _output.Add(new ToolCallDelta(index, null, null, piece));
        }
    }

    /// <summary>The current call ends; its arguments are checked here (see <see cref="ParsedToolCall.IsComplete"/>).</summary>
    public void EndCall()
    {
        if (_callId is null || _callName is null)
        {
            return;
        }

        var arguments = _arguments.ToString();
        _calls.Add(new ParsedToolCall(_callId, _callName, arguments) { IsComplete = IsJsonObject(arguments) });
        _afterCall = true;
        _callId = null;
        _callName = null;
    }

    /// <summary>The answer ended: a call still open ends unfinished, held whitespace is shown only in an answer without calls.</summary>
    public ToolCallAnswer Finish()
    {
        EndCall();
        if (_calls.Count == 0 && _heldSpace.Length > 0)
        {
            var space = _heldSpace;
            _heldSpace = "";
            _content.Append(space);
            _output.Add(new TextDelta(space, IsReasoning: false));
        }

        _heldSpace = "";
        return new ToolCallAnswer(_content.ToString(), _reasoning.ToString(), [.. _calls]);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
