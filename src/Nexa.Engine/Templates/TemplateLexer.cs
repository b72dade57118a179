using System.Globalization;
using System.Text;

namespace Nexa.Engine.Templates;

internal enum TokenKind
{
    Data,
    BlockBegin,
    BlockEnd,
    VariableBegin,
    VariableEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Value, int Line)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string name) => Kind == TokenKind.Name && Value == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Value == op;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        _ => $"'{Value}'",
    };
}

/// <summary>
/// Cuts a template into tokens the way jinja2's lexer does under transformers' settings: <c>trim_blocks</c> (the first
/// newline after a block or comment tag is removed), <c>lstrip_blocks</c> (spaces and tabs before a block or comment
/// tag at the start of a line are removed), <c>-</c>/<c>+</c> whitespace control on every tag, no trailing newline
/// kept, and newlines normalised to "\n" throughout the source.
/// </summary>
internal static class TemplateLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}", ";"];

    public static List<Token> Tokenize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        var tokens = new List<Token>();
        var pos = 0;
        var line = 1;
        var lineStarting = true;
        while (pos < text.Length)
        {
            var at = NextTag(text, pos);
            var data = text[pos..(at < 0 ? text.Length : at)];
            if (at < 0)
            {
                AddData(tokens, data, ref line);
                break;
            }

            var kind = text[at + 1];
            var sign = at + 2 < text.Length && text[at + 2] is '-' or '+' ? text[at + 2] : '\0';
            if (sign == '-')
            {
                data = data.TrimEnd(PythonWhitespace);
            }
            else if (sign != '+' && kind != '{')
            {
                data = LeftStripBlock(data, lineStarting);
            }

            var lineAtTag = line + Count(text, pos, at, '\n');
            AddData(tokens, data, ref line);
            line = lineAtTag;
            var bodyStart = at + 2 + (sign == '\0' ? 0 : 1);
            int end;
            if (kind == '#')
            {
                end = text.IndexOf("#}", bodyStart, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new TemplateSyntaxException("missing end of comment tag", line);
                }

                var endSign = text[end - 1] is '-' or '+' && end - 1 >= bodyStart ? text[end - 1] : '\0';
                line += Count(text, at, end, '\n');
                pos = AfterTag(text, end + 2, endSign, trimBlock: true, ref line);
            }
            else if (kind == '%' && TryRaw(text, bodyStart, out var rawStart))
            {
                pos = Raw(text, rawStart, tokens, ref line);
            }
            else
            {
                var close = kind == '%' ? "%}" : "}}";
                tokens.Add(new Token(kind == '%' ? TokenKind.BlockBegin : TokenKind.VariableBegin, "", line));
                end = Expression(text, bodyStart, close, tokens, ref line, out var endSign);
                tokens.Add(new Token(kind == '%' ? TokenKind.BlockEnd : TokenKind.VariableEnd, "", line));
                pos = AfterTag(text, end, endSign, trimBlock: kind == '%', ref line);
            }

            lineStarting = pos > 0 && text[pos - 1] == '\n';
        }

        tokens.Add(new Token(TokenKind.End, "", line));
        return tokens;
    }

    // Python's str.isspace set, which jinja2's rstrip and \s use.
    internal static readonly char[] PythonWhitespace =
        [' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u2001', '\u2002',
         '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];

    private static bool IsPythonWhitespace(char c) => Array.IndexOf(PythonWhitespace, c) >= 0;

    private static int NextTag(string text, int from)
    {
        for (var i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
        {
            if (text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private static string LeftStripBlock(string data, bool lineStarting)
    {
        var lineStart = data.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting)
        {
            return data;
        }

        if (lineStart == data.Length)
        {
            return data;
        }

        for (var i = lineStart; i < data.Length; i++)
        {
            if (!IsPythonWhitespace(data[i]))
            {
                return data;
            }
        }

        return data[..lineStart];
    }

    private static int AfterTag(string text, int pos, char endSign, bool trimBlock, ref int line)
    {
        if (endSign == '-')
        {
            while (pos < text.Length && IsPythonWhitespace(text[pos]))
            {
                if (text[pos] == '\n')
                {
                    line++;
                }

                pos++;
            }
        }
        else if (endSign != '+' && trimBlock && pos < text.Length && text[pos] == '\n')
        {
            line++;
            pos++;
        }

        return pos;
    }

    private static void AddData(List<Token> tokens, string data, ref int line)
    {
        if (data.Length > 0)
        {
            tokens.Add(new Token(TokenKind.Data, data, line));
            line += data.Count(c => c == '\n');
        }
    }

    private static int Count(string text, int from, int to, char c)
    {
        var n = 0;
        for (var i = from; i < to && i < text.Length; i++)
        {
            if (text[i] == c)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Reads expression tokens up to the closing delimiter; returns the position after it.</summary>
    private static int Expression(string text, int pos, string close, List<Token> tokens, ref int line, out char endSign)
    {
        var depth = 0;
        while (true)
        {
            if (pos >= text.Length)
            {
                throw new TemplateSyntaxException($"unexpected end of template, expected '{close}'", line);
            }

            var c = text[pos];
            if (depth == 0 && (c is '-' or '+') && string.CompareOrdinal(text, pos + 1, close, 0, 2) == 0)
            {
                endSign = c;
                return pos + 3;
            }

            if (string.CompareOrdinal(text, pos, close, 0, 2) == 0 && (depth == 0 || close == "%}"))
            {
                endSign = '\0';
                return pos + 2;
            }

            if (IsPythonWhitespace(c))
            {
                if (c == '\n')
                {
                    line++;
                }

                pos++;
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                pos = Number(text, pos, tokens, line);
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = pos;
                while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_'))
                {
                    pos++;
                }

                tokens.Add(new Token(TokenKind.Name, text[start..pos], line));
                continue;
            }

            if (c is '\'' or '"')
            {
                pos = StringLiteral(text, pos, tokens, ref line);
                continue;
            }

            var op = Array.Find(Operators, o => string.CompareOrdinal(text, pos, o, 0, o.Length) == 0)
                ?? throw new TemplateSyntaxException($"unexpected char '{c}'", line);
            depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
            depth = Math.Max(depth, 0);
            tokens.Add(new Token(TokenKind.Operator, op, line));
            pos += op.Length;
        }
    }

    private static int Number(string text, int pos, List<Token> tokens, int line)
    {
        var start = pos;
        static bool Digit(char c) => char.IsAsciiDigit(c) || c == '_';
        while (pos < text.Length && Digit(text[pos]))
        {
            pos++;
        }

        var isFloat = false;
        if (pos + 1 < text.Length && text[pos] == '.' && char.IsAsciiDigit(text[pos + 1]))
        {
            isFloat = true;
            pos++;
            while (pos < text.Length && Digit(text[pos]))
            {
                pos++;
            }
        }

        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            var e = pos + 1;
            if (e < text.Length && text[e] is '+' or '-')
            {
                e++;
            }

            if (e < text.Length && char.IsAsciiDigit(text[e]))
            {
                isFloat = true;
                pos = e;
                while (pos < text.Length && Digit(text[pos]))
                {
                    pos++;
                }
            }
        }

        tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text[start..pos].Replace("_", "", StringComparison.Ordinal), line));
        return pos;
    }

    private static int StringLiteral(string text, int pos, List<Token> tokens, ref int line)
    {
        var quote = text[pos];
        var value = new StringBuilder();
        var startLine = line;
        pos++;
        while (true)
        {
            if (pos >= text.Length)
            {
                throw new TemplateSyntaxException("unterminated string", startLine);
            }

            var c = text[pos];
            if (c == quote)
            {
                tokens.Add(new Token(TokenKind.String, value.ToString(), startLine));
                return pos + 1;
            }

            if (c == '\n')
            {
                line++;
            }

            if (c != '\\' || pos + 1 >= text.Length)
            {
                value.Append(c);
                pos++;
                continue;
            }

            pos = Escape(text, pos + 1, value);
        }
    }

    /// <summary>Python's unicode-escape decoding of one escape; unknown escapes keep their backslash.</summary>
    private static int Escape(string text, int pos, StringBuilder value)
    {
        var e = text[pos];
        switch (e)
        {
            case 'n': value.Append('\n'); return pos + 1;
            case 't': value.Append('\t'); return pos + 1;
            case 'r': value.Append('\r'); return pos + 1;
            case '\\': value.Append('\\'); return pos + 1;
            case '\'': value.Append('\''); return pos + 1;
            case '"': value.Append('"'); return pos + 1;
            case 'a': value.Append('\a'); return pos + 1;
            case 'b': value.Append('\b'); return pos + 1;
            case 'f': value.Append('\f'); return pos + 1;
            case 'v': value.Append('\v'); return pos + 1;
            case '\n': return pos + 1;
            case 'x' or 'u' or 'U':
                var digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (pos + digits < text.Length && int.TryParse(text.AsSpan(pos + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                {
                    value.Append(char.ConvertFromUtf32(code));
                    return pos + 1 + digits;
                }

                value.Append('\\').Append(e);
                return pos + 1;
            case >= '0' and <= '7':
                var end = pos;
                var octal = 0;
                while (end < text.Length && end < pos + 3 && text[end] is >= '0' and <= '7')
                {
                    octal = octal * 8 + (text[end] - '0');
                    end++;
                }

                value.Append((char)octal);
                return end;
            default:
                value.Append('\\').Append(e);
                return pos + 1;
        }
    }

    private static bool TryRaw(string text, int pos, out int after)
    {
        after = 0;
        var i = pos;
        while (i < text.Length && IsPythonWhitespace(text[i]))
        {
            i++;
        }

        if (string.CompareOrdinal(text, i, "raw", 0, 3) != 0)
        {
            return false;
        }

        i += 3;
        while (i < text.Length && IsPythonWhitespace(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] is '-' or '+')
        {
            i++;
        }

        if (string.CompareOrdinal(text, i, "%}", 0, 2) != 0)
        {
            return false;
        }

        after = i + 2;
        return true;
    }

    private static int Raw(string text, int pos, List<Token> tokens, ref int line)
    {
        for (var at = text.IndexOf("{%", pos, StringComparison.Ordinal); at >= 0; at = text.IndexOf("{%", at + 2, StringComparison.Ordinal))
        {
            var i = at + 2;
            var sign = i < text.Length && text[i] is '-' or '+' ? text[i++] : '\0';
            while (i < text.Length && IsPythonWhitespace(text[i]))
            {
                i++;
            }

            if (string.CompareOrdinal(text, i, "endraw", 0, 6) != 0)
            {
                continue;
            }

            i += 6;
            while (i < text.Length && IsPythonWhitespace(text[i]))
            {
                i++;
            }

            var endSign = i < text.Length && text[i] is '-' or '+' ? text[i++] : '\0';
            if (string.CompareOrdinal(text, i, "%}", 0, 2) != 0)
            {
                continue;
            }

            var data = text[pos..at];
            AddData(tokens, sign == '-' ? data.TrimEnd(PythonWhitespace) : data, ref line);
            return AfterTag(text, i + 2, endSign, trimBlock: true, ref line);
        }

        throw new TemplateSyntaxException("missing endraw", line);
    }
}
