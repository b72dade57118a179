using System.Text;
using System.Text.Json;

namespace Nexa.Engine.Tools;

/// <summary>
/// Reads one call object, <c>{"name": "f", "arguments": {…}}</c>, as it streams in: the name once its string is
/// whole, and the arguments object piece by piece, exactly as the model wrote it. Other members (an id, a type) are
/// skipped. Arguments written before the name wait for it; arguments written as a JSON string (some models
/// stringify them) come out decoded when the string ends.
/// </summary>
internal sealed class JsonCallReader
{
    private enum Part { Start, KeyOrEnd, Key, Colon, ValueStart, Value, AfterValue, Done, Failed }

    private enum Role { Name, Arguments, Other }

    private static readonly string[] DefaultArgumentKeys = ["arguments", "parameters"];

    private readonly IReadOnlyCollection<string> _argumentKeys;
    private readonly IReadOnlyCollection<string>? _firstKeys;
    private readonly StringBuilder _raw = new();
    private readonly StringBuilder _arguments = new();
    private Part _part = Part.Start;
    private Role _role;
    private JsonValueScanner _value = new();
    private bool _keyEscape;
    private int _members;
    private bool _argumentsSeen;
    private bool _argumentsStream;

    /// <param name="firstKeys">When set, an object whose first member is not one of these is not a call (fails at once).</param>
    public JsonCallReader(IReadOnlyCollection<string>? firstKeys = null, IReadOnlyCollection<string>? argumentKeys = null)
    {
        _firstKeys = firstKeys;
        _argumentKeys = argumentKeys ?? DefaultArgumentKeys;
    }

    /// <summary>The function's name, once its string has ended.</summary>
    public string? Name { get; private set; }

    /// <summary>The object's closing brace was read.</summary>
    public bool IsDone => _part == Part.Done;

    /// <summary>The text is not a call object (or broke off): see <see cref="Feed"/> for what was read.</summary>
    public bool IsFailed => _part == Part.Failed;

    /// <summary>Reads from the start of <paramref name="text"/>; returns how many characters belong to the object.</summary>
    public int Feed(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && _part is not (Part.Done or Part.Failed))
        {
            i += Step(text[i..]);
        }

        return i;
    }

    /// <summary>Arguments text read since the last take (only once <see cref="Name"/> is known; "{}" when a finished call had none).</summary>
    public string TakeArguments()
    {
        if (Name is null)
        {
            return "";
        }

        if (_part == Part.Done && !_argumentsSeen)
        {
            _argumentsSeen = true;
            return "{}";
        }

        var piece = _arguments.ToString();
        _arguments.Clear();
        return piece;
    }

    /// <summary>The text ended: a number or literal as arguments ends with it.</summary>
    public void EndOfText()
    {
        if (_part == Part.Value && _role == Role.Arguments)
        {
            _value.EndOfText();
            if (_value.IsComplete)
            {
                EndArguments();
            }
        }
    }

    /// <returns>How many characters the step consumed (0 only when it failed or finished without reading).</returns>
    private int Step(ReadOnlySpan<char> text)
    {
        var c = text[0];
        switch (_part)
        {
            case Part.Start:
                if (char.IsWhiteSpace(c))
                {
                    return 1;
                }

                if (c != '{')
                {
                    return Fail();
                }

                _part = Part.KeyOrEnd;
                return 1;

            case Part.KeyOrEnd:
                if (char.IsWhiteSpace(c))
                {
                    return 1;
                }

                if (c == '"')
                {
                    _raw.Clear();
                    _keyEscape = false;
                    _part = Part.Key;
                    return 1;
                }

                if (c == '}' && _members == 0)
                {
                    return Finish();
                }

                return Fail();

            case Part.Key:
                if (_keyEscape)
                {
                    _keyEscape = false;
                }
                else if (c == '\\')
                {
                    _keyEscape = true;
                }
                else if (c == '"')
                {
                    var key = Decode(_raw.ToString());
                    if (_members == 0 && _firstKeys is not null && (key is null || !_firstKeys.Contains(key)))
                    {
                        return Fail();
                    }

                    _role = key == "name" ? Role.Name : key is not null && _argumentKeys.Contains(key) ? Role.Arguments : Role.Other;
                    _members++;
                    _part = Part.Colon;
                    return 1;
                }

                _raw.Append(c);
                return 1;

            case Part.Colon:
                if (char.IsWhiteSpace(c))
                {
                    return 1;
                }

                if (c != ':')
                {
                    return Fail();
                }

                _part = Part.ValueStart;
                return 1;

            case Part.ValueStart:
                if (char.IsWhiteSpace(c))
                {
                    return 1;
                }

                _value = new JsonValueScanner();
                _raw.Clear();
                _part = Part.Value;
                if (_role == Role.Name && c != '"')
                {
                    return Fail();
                }

                // An arguments object streams as it comes; a string or literal waits until it ends.
                _argumentsStream = _role == Role.Arguments && c == '{';
                if (_role == Role.Arguments)
                {
                    _argumentsSeen = true;
                }

                return 0;

            case Part.Value:
                return ReadValue(text);

            case Part.AfterValue:
                if (char.IsWhiteSpace(c))
                {
                    return 1;
                }

                if (c == ',')
                {
                    _part = Part.KeyOrEnd;
                    return 1;
                }

                return c == '}' ? Finish() : Fail();

            default:
                return text.Length;
        }
    }

    private int ReadValue(ReadOnlySpan<char> text)
    {
        var used = _value.Read(text);
        if (_value.IsBroken)
        {
            return Fail() + used;
        }

        var piece = text[..used];
        if (_argumentsStream)
        {
            _arguments.Append(piece);
        }
        else if (_role != Role.Other)
        {
            _raw.Append(piece);
        }

        if (!_value.IsComplete)
        {
            return used;
        }

        if (_role == Role.Name)
        {
            Name = Decode(_raw.ToString()[1..^1]);
            if (Name is null || Name.Length == 0)
            {
                Name = null;
                return Fail() + used;
            }
        }
        else if (_role == Role.Arguments)
        {
            EndArguments();
        }

        _part = Part.AfterValue;
        return used;
    }

    private void EndArguments()
    {
        if (_argumentsStream)
        {
            return;
        }

        var raw = _raw.ToString().Trim();
        if (raw == "null")
        {
            _arguments.Append("{}");
        }
        else if (raw.StartsWith('"') && raw.EndsWith('"') && raw.Length >= 2 && Decode(raw[1..^1]) is { } decoded)
        {
            _arguments.Append(decoded);
        }
        else
        {
            _arguments.Append(raw);
        }
    }

    private int Finish()
    {
        _part = Part.Done;
        return 1;
    }

    private int Fail()
    {
        _part = Part.Failed;
        return 0;
    }

    /// <summary>The text of a JSON string's content (between its quotes) with escapes resolved; null if they are bad.</summary>
    private static string? Decode(string content)
    {
        if (!content.Contains('\\'))
        {
            return content;
        }

        try
        {
            return JsonSerializer.Deserialize<string>("\"" + content + "\"");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
