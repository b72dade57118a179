using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>What the parser produced: rules by symbol id (null: referenced, never defined) and where things are.</summary>
internal sealed record ParsedGbnf(
    List<List<GbnfElement>?> Rules, Dictionary<string, uint> Symbols, Dictionary<uint, int> FirstReference, Dictionary<uint, int> DefinedAt, byte[] Source);

/// <summary>
/// Parses GBNF exactly as llama.cpp's <c>llama_grammar_parser::parse</c> does at the commit LLamaSharp 0.30 ships
/// (815a2a59): the same syntax, the same rules generated for groups and repetitions (so the same symbol ids and the
/// same limits on repetition), and the same faults, each with its place in the text. The checks llama.cpp makes
/// after parsing live in <see cref="GbnfGrammar.Parse"/>.
/// </summary>
/// <remarks>
/// It reads the UTF-8 bytes llama.cpp would receive. llama.cpp's limits at that commit (checked against the shipped
/// library, which differs here from later llama.cpp): a repetition count or maximum above 2000 is refused, and so is
/// a repetition whose rules times its count reaches 2000; <c>\-</c> is not an escape.
/// </remarks>
internal sealed class GbnfParser
{
    private const ulong RepetitionLimit = 2000;

    private readonly byte[] _src;
    private readonly Func<string, int?>? _tokenOf;
    private readonly Dictionary<string, uint> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, int> _firstReference = [];
    private readonly Dictionary<uint, int> _definedAt = [];
    private readonly List<List<GbnfElement>?> _rules = [];

    private GbnfParser(byte[] src, Func<string, int?>? tokenOf)
    {
        _src = src;
        _tokenOf = tokenOf;
    }

    /// <summary>The rules by symbol id, the symbol ids by name, and where each symbol is first referenced.</summary>
    public static ParsedGbnf Run(
        string text, Func<string, int?>? tokenOf)
    {
        // A C string ends at its first NUL: what llama.cpp would parse is not what the caller wrote.
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (nul >= 0)
        {
            throw Fault(Encoding.UTF8.GetBytes(text[..nul]).Append((byte)0).ToArray(), Encoding.UTF8.GetByteCount(text[..nul]), "NUL character in the grammar");
        }

        // A trailing NUL, as llama.cpp's C string has: every look-ahead may read one byte past the text.
        var buffer = new byte[bytes.Length + 2];
        bytes.CopyTo(buffer, 0);
        var parser = new GbnfParser(buffer, tokenOf);
        parser.ParseAll();
        return new ParsedGbnf(parser._rules, parser._symbols, parser._firstReference, parser._definedAt, buffer);
    }

    private byte At(int pos) => pos < _src.Length ? _src[pos] : (byte)0;

    private void ParseAll()
    {
        var pos = ParseSpace(0, newlineOk: true);
        while (At(pos) != 0)
        {
            pos = ParseRule(pos);
        }
    }

    private int ParseRule(int src)
    {
        var nameEnd = ParseName(src);
        var pos = ParseSpace(nameEnd, newlineOk: false);
        var name = Encoding.UTF8.GetString(_src, src, nameEnd - src);
        var ruleId = SymbolId(name);
        _definedAt.TryAdd(ruleId, src);
        if (!(At(pos) == ':' && At(pos + 1) == ':' && At(pos + 2) == '='))
        {
            throw Fault(pos, "expecting ::=");
        }

        pos = ParseSpace(pos + 3, newlineOk: true);
        pos = ParseAlternates(pos, name, ruleId, nested: false);
        if (At(pos) == '\r')
        {
            pos += At(pos + 1) == '\n' ? 2 : 1;
        }
        else if (At(pos) == '\n')
        {
            pos++;
        }
        else if (At(pos) != 0)
        {
            throw Fault(pos, "expecting newline or end");
        }

        return ParseSpace(pos, newlineOk: true);
    }

    private int ParseAlternates(int src, string ruleName, uint ruleId, bool nested)
    {
        var rule = new List<GbnfElement>();
        var pos = ParseSequence(src, ruleName, rule, nested);
        while (At(pos) == '|')
        {
            rule.Add(new(GbnfElementType.Alternate, 0));
            pos = ParseSpace(pos + 1, newlineOk: true);
            pos = ParseSequence(pos, ruleName, rule, nested);
        }

        rule.Add(new(GbnfElementType.End, 0));
        AddRule(ruleId, rule);
        return pos;
    }

    private int ParseSequence(int src, string ruleName, List<GbnfElement> rule, bool nested)
    {
        var lastSymbolStart = rule.Count;
        var pos = src;
        // How many rules the last item stands for: a repetition of it repeats them all (llama.cpp's limit counts them).
        ulong previousRules = 1;

        while (At(pos) != 0)
        {
            var c = At(pos);
            if (c == '"')
            {
                pos++;
                lastSymbolStart = rule.Count;
                previousRules = 1;
                while (At(pos) != '"')
                {
                    if (At(pos) == 0)
                    {
                        throw Fault(pos, "unexpected end of input (unterminated string)");
                    }

                    (var ch, pos) = ParseChar(pos);
                    rule.Add(new(GbnfElementType.Char, ch));
                }

                pos = ParseSpace(pos + 1, nested);
            }
            else if (c == '[')
            {
                pos++;
                var startType = GbnfElementType.Char;
                if (At(pos) == '^')
                {
                    pos++;
                    startType = GbnfElementType.CharNot;
                }

                lastSymbolStart = rule.Count;
                previousRules = 1;
                while (At(pos) != ']')
                {
                    if (At(pos) == 0)
                    {
                        throw Fault(pos, "unexpected end of input (unterminated character class)");
                    }

                    (var ch, pos) = ParseChar(pos);
                    rule.Add(new(lastSymbolStart < rule.Count ? GbnfElementType.CharAlternate : startType, ch));
                    if (At(pos) == '-' && At(pos + 1) != ']')
                    {
                        if (At(pos + 1) == 0)
                        {
                            throw Fault(pos + 1, "unexpected end of input (unterminated character class)");
                        }

                        (var upper, pos) = ParseChar(pos + 1);
                        rule.Add(new(GbnfElementType.CharRangeUpper, upper));
                    }
                }

                pos = ParseSpace(pos + 1, nested);
            }
            else if (c == '<' || c == '!')
            {
                var type = GbnfElementType.Token;
                if (c == '!')
                {
                    type = GbnfElementType.TokenNot;
                    pos++;
                }

                (var token, var end) = ParseToken(pos);
                lastSymbolStart = rule.Count;
                previousRules = 1;
                rule.Add(new(type, token));
                pos = ParseSpace(end, nested);
            }
            else if (IsWordChar(c))
            {
                var nameEnd = ParseName(pos);
                var referenced = SymbolId(Encoding.UTF8.GetString(_src, pos, nameEnd - pos));
                _firstReference.TryAdd(referenced, pos);
                pos = ParseSpace(nameEnd, nested);
                lastSymbolStart = rule.Count;
                previousRules = 1;
                rule.Add(new(GbnfElementType.RuleReference, referenced));
            }
            else if (c == '(')
            {
                var open = pos;
                pos = ParseSpace(pos + 1, newlineOk: true);
                var symbolsBefore = (uint)_symbols.Count;
                var subRuleId = GenerateSymbolId(ruleName);
                pos = ParseAlternates(pos, ruleName, subRuleId, nested: true);
                previousRules = Math.Max(1u, (uint)_symbols.Count - symbolsBefore);
                lastSymbolStart = rule.Count;
                rule.Add(new(GbnfElementType.RuleReference, subRuleId));
                if (At(pos) != ')')
                {
                    throw Fault(pos, At(pos) == 0 ? $"expecting ')' (the group opened at {Place(open)} is not closed)" : "expecting ')'");
                }

                pos = ParseSpace(pos + 1, nested);
            }
            else if (c == '.')
            {
                lastSymbolStart = rule.Count;
                previousRules = 1;
                rule.Add(new(GbnfElementType.CharAny, 0));
                pos = ParseSpace(pos + 1, nested);
            }
            else if (c is (byte)'*' or (byte)'+' or (byte)'?')
            {
                var at = pos;
                pos = ParseSpace(pos + 1, nested);
                var (min, max) = c switch
                {
                    (byte)'*' => (0UL, ulong.MaxValue),
                    (byte)'+' => (1UL, ulong.MaxValue),
                    _ => (0UL, 1UL),
                };
                Repeat(at, ruleName, rule, lastSymbolStart, ref previousRules, min, max);
            }
            else if (c == '{')
            {
                var at = pos;
                pos = ParseSpace(pos + 1, nested);
                if (!IsDigit(At(pos)))
                {
                    throw Fault(pos, "expecting an int");
                }

                var intEnd = ParseInt(pos);
                var min = ToCount(pos, intEnd);
                pos = ParseSpace(intEnd, nested);
                var max = ulong.MaxValue;
                if (At(pos) == '}')
                {
                    max = min;
                    pos = ParseSpace(pos + 1, nested);
                }
                else if (At(pos) == ',')
                {
                    pos = ParseSpace(pos + 1, nested);
                    if (IsDigit(At(pos)))
                    {
                        var maxEnd = ParseInt(pos);
                        max = ToCount(pos, maxEnd);
                        pos = ParseSpace(maxEnd, nested);
                    }

                    if (At(pos) != '}')
                    {
                        throw Fault(pos, "expecting '}'");
                    }

                    pos = ParseSpace(pos + 1, nested);
                }
                else
                {
                    throw Fault(pos, "expecting ','");
                }

                // llama.cpp would compute max - min on unsigned numbers and generate rules until memory runs out.
                if (max < min)
                {
                    throw Fault(at, $"repetition {{{min},{max}}} has its maximum below its minimum");
                }

                // At this commit a maximum above the limit is refused too (later llama.cpp treats it as no maximum).
                if (min > RepetitionLimit || (max != ulong.MaxValue && max > RepetitionLimit))
                {
                    throw Fault(at, "number of repetitions exceeds sane defaults, please reduce the number of repetitions");
                }

                Repeat(at, ruleName, rule, lastSymbolStart, ref previousRules, min, max);
            }
            else
            {
                break;
            }
        }

        return pos;
    }

    // S{m,n} becomes S repeated m times, then n-m nested optional rules (S S' |); S{m,} a recursive S' ::= S S' |.
    private void Repeat(int at, string ruleName, List<GbnfElement> rule, int lastSymbolStart, ref ulong previousRules, ulong min, ulong max)
    {
        var noMax = max == ulong.MaxValue;
        if (lastSymbolStart == rule.Count)
        {
            throw Fault(at, "expecting preceding item to */+/?/{");
        }

        var previous = rule.GetRange(lastSymbolStart, rule.Count - lastSymbolStart);
        ulong total = 1;
        if (!noMax && max > 0)
        {
            total = max;
        }
        else if (min > 0)
        {
            total = min;
        }

        // Both factors are at most 2000 here, so the product cannot overflow.
        if (previousRules * total >= RepetitionLimit)
        {
            throw Fault(at, "number of rules that are going to be repeated multiplied by the new repetition exceeds sane defaults, please reduce the number of repetitions or rule complexity");
        }

        if (min == 0)
        {
            rule.RemoveRange(lastSymbolStart, rule.Count - lastSymbolStart);
        }
        else
        {
            for (ulong i = 1; i < min; i++)
            {
                rule.AddRange(previous);
            }
        }

        uint lastRecursiveId = 0;
        var optional = noMax ? 1 : max - min;
        for (ulong i = 0; i < optional; i++)
        {
            var recursive = new List<GbnfElement>(previous);
            var id = GenerateSymbolId(ruleName);
            if (i > 0 || noMax)
            {
                recursive.Add(new(GbnfElementType.RuleReference, noMax ? id : lastRecursiveId));
            }

            recursive.Add(new(GbnfElementType.Alternate, 0));
            recursive.Add(new(GbnfElementType.End, 0));
            AddRule(id, recursive);
            lastRecursiveId = id;
        }

        if (optional > 0)
        {
            rule.Add(new(GbnfElementType.RuleReference, lastRecursiveId));
        }

        previousRules *= total;
    }

    private (uint Token, int End) ParseToken(int src)
    {
        var pos = src;
        if (At(pos) != '<')
        {
            throw Fault(pos, "expecting '<'");
        }

        pos++;
        if (At(pos) == '[')
        {
            pos++;
            var intEnd = ParseInt(pos);
            // std::stoul: an id past unsigned long fails; the id is then kept as 32 bits.
            var digits = Encoding.ASCII.GetString(_src, pos, intEnd - pos);
            if (!ulong.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                throw Fault(pos, "stoul: token id out of range");
            }

            pos = intEnd;
            if (At(pos) != ']')
            {
                throw Fault(pos, "expecting ']'");
            }

            pos++;
            if (At(pos) != '>')
            {
                throw Fault(pos, "expecting '>'");
            }

            return ((uint)id, pos + 1);
        }

        while (At(pos) != 0 && At(pos) != '>')
        {
            pos++;
        }

        if (At(pos) != '>')
        {
            throw Fault(pos, "expecting '>' (unterminated token)");
        }

        pos++;
        var text = Encoding.UTF8.GetString(_src, src, pos - src);
        if (_tokenOf is null)
        {
            // Without a vocabulary the token cannot be looked up; llama.cpp (which has one) checks it.
            return (0, pos);
        }

        return _tokenOf(text) is { } token
            ? ((uint)token, pos)
            : throw Fault(src, $"invalid token '{text}' (it must be exactly one token of the model's vocabulary)");
    }

    private (uint Char, int End) ParseChar(int src)
    {
        if (At(src) == '\\')
        {
            return At(src + 1) switch
            {
                (byte)'x' => ParseHex(src + 2, 2),
                (byte)'u' => ParseHex(src + 2, 4),
                (byte)'U' => ParseHex(src + 2, 8),
                (byte)'t' => ('\t', src + 2),
                (byte)'r' => ('\r', src + 2),
                (byte)'n' => ('\n', src + 2),
                // No \- at this commit (later llama.cpp added it).
                (byte)'\\' or (byte)'"' or (byte)'[' or (byte)']' => (At(src + 1), src + 2),
                _ => throw Fault(src, "unknown escape"),
            };
        }

        if (At(src) != 0)
        {
            return DecodeUtf8(src);
        }

        throw Fault(src, "unexpected end of input");
    }

    // llama.cpp's decode: the length comes from the first byte's high bits, stopping early at a NUL.
    private (uint Char, int End) DecodeUtf8(int src)
    {
        ReadOnlySpan<int> lookup = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
        var first = At(src);
        var length = lookup[first >> 4];
        var mask = (1u << (8 - length)) - 1;
        var value = first & mask;
        var end = src + length;
        var pos = src + 1;
        for (; pos < end && At(pos) != 0; pos++)
        {
            value = (value << 6) + (At(pos) & 0x3Fu);
        }

        return (value, pos);
    }

    private (uint Value, int End) ParseHex(int src, int size)
    {
        var pos = src;
        var end = src + size;
        uint value = 0;
        for (; pos < end && At(pos) != 0; pos++)
        {
            var c = At(pos);
            int digit;
            if (c >= 'a' && c <= 'f')
            {
                digit = c - 'a' + 10;
            }
            else if (c >= 'A' && c <= 'F')
            {
                digit = c - 'A' + 10;
            }
            else if (c >= '0' && c <= '9')
            {
                digit = c - '0';
            }
            else
            {
                break;
            }

            value = (value << 4) + (uint)digit;
        }

        if (pos != end)
        {
            throw Fault(src, $"expecting {size} hex chars");
        }

        return (value, pos);
    }

    private int ParseSpace(int src, bool newlineOk)
    {
        var pos = src;
        while (At(pos) is (byte)' ' or (byte)'\t' or (byte)'#' || (newlineOk && At(pos) is (byte)'\r' or (byte)'\n'))
        {
            if (At(pos) == '#')
            {
                while (At(pos) != 0 && At(pos) != '\r' && At(pos) != '\n')
                {
                    pos++;
                }
            }
            else
            {
                pos++;
            }
        }

        return pos;
    }

    private int ParseName(int src)
    {
        var pos = src;
        while (IsWordChar(At(pos)))
        {
            pos++;
        }

        return pos == src ? throw Fault(src, "expecting name") : pos;
    }

    private int ParseInt(int src)
    {
        var pos = src;
        while (IsDigit(At(pos)))
        {
            pos++;
        }

        return pos == src ? throw Fault(src, "expecting integer") : pos;
    }

    // std::stoull: more than 64 bits fails.
    private ulong ToCount(int start, int end) =>
        ulong.TryParse(Encoding.ASCII.GetString(_src, start, end - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fault(start, "stoull: repetition count out of range");

    private uint SymbolId(string name)
    {
        if (!_symbols.TryGetValue(name, out var id))
        {
            id = (uint)_symbols.Count;
            _symbols[name] = id;
        }

        return id;
    }

    // As llama.cpp: the name is base_N with N the next id, and it overwrites a symbol of that name if one exists.
    private uint GenerateSymbolId(string baseName)
    {
        var id = (uint)_symbols.Count;
        _symbols[$"{baseName}_{id}"] = id;
        return id;
    }

    private void AddRule(uint id, List<GbnfElement> rule)
    {
        while (_rules.Count <= id)
        {
            _rules.Add(null);
        }

        _rules[(int)id] = rule;
    }

    private static bool IsDigit(byte c) => c >= '0' && c <= '9';

    private static bool IsWordChar(byte c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || IsDigit(c);

    private string Place(int pos)
    {
        var (line, column) = LineColumn(_src, pos);
        return $"{line}:{column}";
    }

    private GbnfException Fault(int pos, string reason) => Fault(_src, pos, reason);

    private static GbnfException Fault(byte[] src, int pos, string reason)
    {
        var (line, column) = LineColumn(src, pos);
        return new GbnfException(reason, line, column);
    }

    /// <summary>1-based line and column (in characters) of a byte offset.</summary>
    public static (int Line, int Column) LineColumn(byte[] src, int pos)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < pos && i < src.Length; i++)
        {
            if (src[i] == '\n')
            {
                line++;
                column = 1;
            }
            else if ((src[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return (line, column);
    }
}
