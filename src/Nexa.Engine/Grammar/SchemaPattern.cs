using System.Globalization;
using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>
/// Turns a JSON Schema <c>pattern</c> (an ECMAScript regex) into GBNF for the JSON-encoded content of a string.
/// The subset: literal characters and escapes, classes (with ranges, negation and \d \w \s), <c>.</c>, groups
/// (plain, <c>(?:…)</c>, named), alternation, and the quantifiers <c>? * + {m} {m,} {m,n}</c> (lazy or not: the
/// same strings). <c>^</c> may only start the pattern and <c>$</c> only end it; a pattern not anchored at an end
/// may have any text there, as JSON Schema says. Anything else (look-around, back references, word boundaries,
/// flags) is refused.
/// </summary>
internal sealed class SchemaPattern
{
    private const int MaxRepetition = 1000;

    private static readonly CharSet Digits = CharSet.Range('0', '9');
    private static readonly CharSet Word = CharSet.Of([('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')]);
    private static readonly CharSet Space = CharSet.Of([(9, 13), (' ', ' '), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
        (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]);

    // ECMAScript's '.': anything but line terminators.
    private static readonly CharSet Dot = CharSet.Of([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]).Complement();

    private readonly string _pattern;
    private readonly Func<CharSet, string> _charRule;
    private int _pos;

    private SchemaPattern(string pattern, Func<CharSet, string> charRule)
    {
        _pattern = pattern;
        _charRule = charRule;
    }

    /// <summary>
    /// GBNF for the string content the pattern accepts; <paramref name="charRule"/> returns the name of a rule for one
    /// character of a set. Throws <see cref="FormatException"/> naming what is not supported.
    /// </summary>
    public static string Convert(string pattern, Func<CharSet, string> charRule) => new SchemaPattern(pattern, charRule).Run();

    private string Run()
    {
        var anchoredStart = Peek('^');
        if (anchoredStart)
        {
            _pos++;
        }

        var body = Alternation();
        var anchoredEnd = false;
        if (_pos < _pattern.Length && _pattern[_pos] == '$')
        {
            anchoredEnd = true;
            _pos++;
        }

        if (_pos < _pattern.Length)
        {
            throw Unsupported(_pattern[_pos] switch
            {
                ')' => "an unopened ')'",
                '$' => "'$' before the end of the pattern",
                _ => $"'{_pattern[_pos]}'",
            });
        }

        // Unanchored: JSON Schema's pattern matches anywhere in the string.
        var any = _charRule(CharSet.All);
        var parts = new List<string>();
        if (!anchoredStart)
        {
            parts.Add($"{any}*");
        }

        parts.Add($"({body})");
        if (!anchoredEnd)
        {
            parts.Add($"{any}*");
        }

        return string.Join(" ", parts);
    }

    private bool Peek(char c) => _pos < _pattern.Length && _pattern[_pos] == c;

    private string Alternation()
    {
        var alternatives = new List<string> { Sequence() };
        while (Peek('|'))
        {
            _pos++;
            alternatives.Add(Sequence());
        }

        return string.Join(" | ", alternatives.Select(a => a.Length == 0 ? "\"\"" : a));
    }

    private string Sequence()
    {
        var items = new List<string>();
        while (_pos < _pattern.Length && _pattern[_pos] is not ('|' or ')' or '$'))
        {
            var atom = Atom();
            items.Add(Quantified(atom));
        }

        return string.Join(" ", items);
    }

    private string Atom()
    {
        var c = _pattern[_pos];
        switch (c)
        {
            case '(':
                _pos++;
                if (Peek('?'))
                {
                    var rest = _pattern[(_pos + 1)..];
                    if (rest.StartsWith(':'))
                    {
                        _pos += 2;
                    }
                    else if (rest.StartsWith('<') && rest.Length > 1 && rest[1] is not ('=' or '!'))
                    {
                        var close = _pattern.IndexOf('>', _pos);
                        _pos = close < 0 ? throw Unsupported("an unterminated group name") : close + 1;
                    }
                    else
                    {
                        throw Unsupported("look-around groups");
                    }
                }

                var inner = Alternation();
                if (!Peek(')'))
                {
                    throw Unsupported("an unclosed '('");
                }

                _pos++;
                return $"({inner})";
            case '[':
                return _charRule(Class());
            case '.':
                _pos++;
                return _charRule(Dot);
            case '\\':
                return _charRule(Escape(inClass: false));
            case '^':
                throw Unsupported("'^' after the start of the pattern");
            case '*' or '+' or '?':
                throw Unsupported($"'{c}' with nothing before it");
            case '{' when QuantifierAt(_pos) is not null:
                throw Unsupported("a quantifier with nothing before it");
            case '{' or '}' or ']':
                throw Unsupported($"a bare '{c}' (escape it)");
            default:
                var rune = Rune.GetRuneAt(_pattern, _pos);
                _pos += rune.Utf16SequenceLength;
                return _charRule(CharSet.Of(rune.Value));
        }
    }

    private string Quantified(string atom)
    {
        if (_pos >= _pattern.Length)
        {
            return atom;
        }

        (int Min, int? Max)? quantifier = _pattern[_pos] switch
        {
            '*' => (0, null),
            '+' => (1, null),
            '?' => (0, 1),
            '{' => QuantifierAt(_pos),
            _ => null,
        };
        if (quantifier is not { } q)
        {
            return atom;
        }

        _pos = _pattern[_pos] == '{' ? _pattern.IndexOf('}', _pos) + 1 : _pos + 1;
        if (Peek('?'))
        {
            _pos++; // lazy: the same strings
        }

        if (_pos < _pattern.Length && _pattern[_pos] is '*' or '+' or '?' or '{' && (_pattern[_pos] != '{' || QuantifierAt(_pos) is not null))
        {
            throw Unsupported("a quantifier after a quantifier");
        }

        if (q.Min > MaxRepetition || q.Max > MaxRepetition)
        {
            throw Unsupported($"a repetition above {MaxRepetition}");
        }

        if (q.Max < q.Min)
        {
            throw Unsupported("a repetition whose maximum is below its minimum");
        }

        // Every atom is one rule name or one group: quantifying it needs no extra group (each group is a rule, and
        // llama.cpp's repetition limit counts them).
        var unit = atom;
        return q switch
        {
            (0, null) => $"{unit}*",
            (1, null) => $"{unit}+",
            (0, 1) => $"{unit}?",
            (var min, null) => $"{unit}{{{min},}}",
            (var min, var max) when min == max => $"{unit}{{{min}}}",
            (var min, var max) => $"{unit}{{{min},{max}}}",
        };
    }

    private (int Min, int? Max)? QuantifierAt(int pos)
    {
        var close = _pattern.IndexOf('}', pos);
        if (close < 0)
        {
            return null;
        }

        var inside = _pattern[(pos + 1)..close];
        var parts = inside.Split(',');
        if (parts.Length is < 1 or > 2 || !Number(parts[0], out var min))
        {
            return null;
        }

        if (parts.Length == 1)
        {
            return (min, min);
        }

        if (parts[1].Length == 0)
        {
            return (min, null);
        }

        return Number(parts[1], out var max) ? (min, max) : null;

        static bool Number(string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || (text.Length > 0 && text.All(char.IsAsciiDigit) && (value = int.MaxValue) > 0);
    }

    private CharSet Class()
    {
        _pos++; // '['
        var negate = Peek('^');
        if (negate)
        {
            _pos++;
        }

        var set = CharSet.Empty;
        var first = true;
        while (true)
        {
            if (_pos >= _pattern.Length)
            {
                throw Unsupported("an unterminated character class");
            }

            if (_pattern[_pos] == ']' && !first)
            {
                _pos++;
                break;
            }

            if (_pattern[_pos] == ']')
            {
                throw Unsupported("an empty character class");
            }

            first = false;
            var low = ClassAtom();
            if (Peek('-') && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                _pos++;
                var high = ClassAtom();
                if (low.Ranges.Count != 1 || low.Ranges[0].Low != low.Ranges[0].High || high.Ranges.Count != 1 || high.Ranges[0].Low != high.Ranges[0].High)
                {
                    throw Unsupported("a range whose end is a class");
                }

                if (high.Ranges[0].Low < low.Ranges[0].Low)
                {
                    throw Unsupported("a range out of order");
                }

                set = set.Union(CharSet.Range(low.Ranges[0].Low, high.Ranges[0].Low));
            }
            else
            {
                set = set.Union(low);
            }
        }

        return negate ? set.Complement() : set;
    }

    private CharSet ClassAtom()
    {
        if (_pattern[_pos] == '\\')
        {
            return Escape(inClass: true);
        }

        if (_pattern[_pos] == '[')
        {
            throw Unsupported("a '[' inside a class (escape it)");
        }

        var rune = Rune.GetRuneAt(_pattern, _pos);
        _pos += rune.Utf16SequenceLength;
        return CharSet.Of(rune.Value);
    }

    private CharSet Escape(bool inClass)
    {
        if (_pos + 1 >= _pattern.Length)
        {
            throw Unsupported("a '\\' at the end of the pattern");
        }

        var c = _pattern[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case 'd': return Digits;
            case 'D': return Digits.Complement();
            case 'w': return Word;
            case 'W': return Word.Complement();
            case 's': return Space;
            case 'S': return Space.Complement();
            case 't': return CharSet.Of('\t');
            case 'n': return CharSet.Of('\n');
            case 'r': return CharSet.Of('\r');
            case 'f': return CharSet.Of('\f');
            case 'v': return CharSet.Of('\v');
            case 'b' when inClass: return CharSet.Of('\b');
            case '0' when _pos >= _pattern.Length || !char.IsAsciiDigit(_pattern[_pos]): return CharSet.Of(0);
            case 'x': return CharSet.Of(Hex(2));
            case 'u': return CharSet.Of(Hex(4));
            case 'b' or 'B': throw Unsupported("word boundaries (\\b, \\B)");
            case >= '1' and <= '9': throw Unsupported("back references");
            default:
                if (char.IsAsciiLetterOrDigit(c) || c == '_')
                {
                    throw Unsupported($"the escape \\{c}");
                }

                // Any other escaped character stands for itself (\. \* \/ \- …).
                if (char.IsHighSurrogate(c))
                {
                    _pos--;
                    var rune = Rune.GetRuneAt(_pattern, _pos);
                    _pos += rune.Utf16SequenceLength;
                    return CharSet.Of(rune.Value);
                }

                return CharSet.Of(c);
        }
    }

    private int Hex(int digits)
    {
        if (_pos + digits > _pattern.Length || !int.TryParse(_pattern.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Unsupported($"an escape that needs {digits} hex digits");
        }

        _pos += digits;
        return value;
    }

    private FormatException Unsupported(string what) => new($"pattern uses {what}, which the grammar converter does not support (at character {_pos + 1} of \"{_pattern}\")");
}
