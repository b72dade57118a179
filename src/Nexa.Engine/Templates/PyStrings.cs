namespace Nexa.Engine.Templates;

/// <summary>Python's str algorithms on origin-tagged strings: every result is made of slices of the input.</summary>
internal static class PyStrings
{
    private static bool IsSpace(char c) => Array.IndexOf(TemplateLexer.PythonWhitespace, c) >= 0;

    public static TemplateString Strip(TemplateString s, string? chars, bool left, bool right)
    {
        bool Strippable(char c) => chars is null ? IsSpace(c) : chars.Contains(c);
        var text = s.Text;
        var start = 0;
        var end = text.Length;
        while (left && start < end && Strippable(text[start]))
        {
            start++;
        }

        while (right && end > start && Strippable(text[end - 1]))
        {
            end--;
        }

        return s.Slice(start, end - start);
    }

    public static List<object?> Split(TemplateString s, string? sep, long max, bool fromRight)
    {
        var text = s.Text;
        var parts = new List<(int Start, int Length)>();
        if (sep is null)
        {
            // Runs of whitespace separate; leading and trailing whitespace make no empty parts.
            var words = new List<(int, int)>();
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && IsSpace(text[i]))
                {
                    i++;
                }

                if (i >= text.Length)
                {
                    break;
                }

                var start = i;
                while (i < text.Length && !IsSpace(text[i]))
                {
                    i++;
                }

                words.Add((start, i - start));
            }

            if (max < 0 || words.Count <= max + 1)
            {
                return [.. words.Select(w => (object?)s.Slice(w.Item1, w.Item2))];
            }

            // With a limit, the last (or first, from the right) part keeps the rest, inner whitespace included.
            var kept = (int)max;
            if (!fromRight)
            {
                var result = words.Take(kept).Select(w => (object?)s.Slice(w.Item1, w.Item2)).ToList();
                var restStart = words[kept].Item1;
                var rest = Strip(s.Slice(restStart), null, left: false, right: true);
                result.Add(rest);
                return result;
            }
            else
            {
                var tail = words.Skip(words.Count - kept).Select(w => (object?)s.Slice(w.Item1, w.Item2)).ToList();
                var last = words[words.Count - kept - 1];
                var rest = Strip(s.Slice(0, last.Item1 + last.Item2), null, left: true, right: false);
                tail.Insert(0, rest);
                return tail;
            }
        }

        if (!fromRight)
        {
            var cursor = 0;
            while (max < 0 || parts.Count < max)
            {
                var at = text.IndexOf(sep, cursor, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                parts.Add((cursor, at - cursor));
                cursor = at + sep.Length;
            }

            parts.Add((cursor, text.Length - cursor));
        }
        else
        {
            var end = text.Length;
            while (max < 0 || parts.Count < max)
            {
                var at = end - sep.Length < 0 ? -1 : text.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                parts.Insert(0, (at + sep.Length, end - at - sep.Length));
                end = at;
            }

            parts.Insert(0, (0, end));
        }

        return [.. parts.Select(p => (object?)s.Slice(p.Start, p.Length))];
    }

    public static List<object?> SplitLines(TemplateString s)
    {
        var lines = new List<object?>();
        var text = s.Text;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s.Slice(start, i - start));
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(s.Slice(start));
        }

        return lines;
    }

    public static TemplateString Replace(TemplateString s, TemplateString old, TemplateString replacement, long count)
    {
        var text = s.Text;
        var builder = new TemplateStringBuilder();
        var done = 0L;
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            for (var i = 0; i <= text.Length && (count < 0 || done < count); i++, done++)
            {
                builder.Append(replacement);
                if (i < text.Length)
                {
                    builder.Append(s.Slice(i, 1));
                }
            }

            return builder.ToTemplateString();
        }

        var cursor = 0;
        while (count < 0 || done < count)
        {
            var at = text.IndexOf(old.Text, cursor, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            builder.Append(s.Slice(cursor, at - cursor));
            builder.Append(replacement);
            PyOperators.CheckLength(builder.Length);
            cursor = at + old.Length;
            done++;
        }

        builder.Append(s.Slice(cursor));
        return builder.ToTemplateString();
    }

    public static long Count(string text, string sub)
    {
        if (sub.Length == 0)
        {
            return text.Length + 1;
        }

        var n = 0L;
        for (var at = text.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = text.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    public static TemplateString Join(TemplateString separator, IEnumerable<object?> items)
    {
        var builder = new TemplateStringBuilder();
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                builder.Append(separator);
            }

            builder.Append(Py.Str(item));
            PyOperators.CheckLength(builder.Length);
            first = false;
        }

        return builder.ToTemplateString();
    }

    public static TemplateString Pad(TemplateString s, int width, string fill, string how)
    {
        if (fill.Length != 1)
        {
            throw new TemplateException("The fill character must be exactly one character long");
        }

        var missing = width - s.Length;
        if (missing <= 0)
        {
            return s;
        }

        PyOperators.CheckLength(width);
        var left = how switch
        {
            "ljust" => 0,
            "rjust" => missing,
            // Python's center puts the odd character on the right unless the width is odd and the string even.
            _ => missing / 2 + (missing & width & 1),
        };
        return TemplateString.Concat(TemplateString.Concat(TemplateString.Template(new string(fill[0], left)), s),
            TemplateString.Template(new string(fill[0], missing - left)));
    }
}
