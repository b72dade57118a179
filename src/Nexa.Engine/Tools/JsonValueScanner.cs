namespace Nexa.Engine.Tools;

/// <summary>
/// Follows one JSON value as it streams in, only to tell where it ends: brackets are matched and strings (with
/// their escapes) skipped, but the syntax is not checked further. Whoever needs valid JSON parses the finished text.
/// </summary>
internal sealed class JsonValueScanner
{
    private readonly Stack<char> _open = new();
    private bool _started;
    private bool _inString;
    private bool _escape;
    private bool _primitive;

    /// <summary>The value has ended: nothing more belongs to it.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>The text cannot be a JSON value (a bad first character or a closing bracket that does not match).</summary>
    public bool IsBroken { get; private set; }

    /// <summary>True once the value's first character is known: <c>{</c>, <c>[</c>, <c>"</c> or a number, true, false, null.</summary>
    public char? FirstCharacter { get; private set; }

    /// <summary>
    /// Reads <paramref name="text"/> from its start and returns how many characters belong to the value: all of them
    /// while it goes on, fewer once it ended or broke (leading whitespace counts as the value's).
    /// </summary>
    public int Read(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsComplete || IsBroken)
            {
                return i;
            }

            var c = text[i];
            if (!_started)
            {
                if (!char.IsWhiteSpace(c))
                {
                    Begin(c);
                    if (IsBroken)
                    {
                        return i;
                    }
                }

                continue;
            }

            if (_primitive)
            {
                if (!IsPrimitiveCharacter(c))
                {
                    IsComplete = true;
                    return i;
                }

                continue;
            }

            if (_inString)
            {
                if (_escape)
                {
                    _escape = false;
                }
                else if (c == '\\')
                {
                    _escape = true;
                }
                else if (c == '"')
                {
                    _inString = false;
                    if (_open.Count == 0)
                    {
                        IsComplete = true;
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    _inString = true;
                    break;
                case '{' or '[':
                    _open.Push(c);
                    break;
                case '}' or ']':
                    if (_open.Count == 0 || _open.Pop() != (c == '}' ? '{' : '['))
                    {
                        IsBroken = true;
                        return i;
                    }

                    if (_open.Count == 0)
                    {
                        IsComplete = true;
                        return i + 1;
                    }

                    break;
            }
        }

        return text.Length;
    }

    /// <summary>The text ended: a number or literal that was being read is complete now (nothing else is).</summary>
    public void EndOfText()
    {
        if (_primitive)
        {
            IsComplete = true;
        }
    }

    private void Begin(char c)
    {
        _started = true;
        FirstCharacter = c;
        switch (c)
        {
            case '{' or '[':
                _open.Push(c);
                break;
            case '"':
                _inString = true;
                break;
            default:
                if (c == '-' || char.IsAsciiDigit(c) || c is 't' or 'f' or 'n')
                {
                    _primitive = true;
                }
                else
                {
                    IsBroken = true;
                }

                break;
        }
    }

    private static bool IsPrimitiveCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.';
}
