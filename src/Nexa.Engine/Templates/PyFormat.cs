using System.Globalization;

namespace Nexa.Engine.Templates;

/// <summary>Python's string formatting as templates use it: <c>%</c>, <c>str.format</c> and <c>strftime</c>.</summary>
internal static class PyFormat
{
    /// <summary><c>format % args</c> (printf style): %s %r %d %i %f %x %%, flags and precision, a tuple or a dict of args.</summary>
    public static TemplateString Percent(TemplateString format, object? args)
    {
        var positional = args is PyTuple tuple ? tuple : null;
        var mapping = args as PyDict;
        var next = 0;
        var builder = new TemplateStringBuilder();
        var text = format.Text;
        var cursor = 0;
        for (var i = text.IndexOf('%'); i >= 0; i = text.IndexOf('%', cursor))
        {
            builder.Append(format.Slice(cursor, i - cursor));
            var j = i + 1;
            if (j >= text.Length)
            {
                throw new TemplateException("incomplete format");
            }

            object? value;
            if (text[j] == '%')
            {
                builder.Append("%", TextOrigin.Template);
                cursor = j + 1;
                continue;
            }

            string? key = null;
            if (text[j] == '(')
            {
                var close = text.IndexOf(')', j);
                key = text[(j + 1)..close];
                j = close + 1;
            }

            var specStart = j;
            while (j < text.Length && "-+ #0123456789.".Contains(text[j]))
            {
                j++;
            }

            var spec = text[specStart..j];
            var conversion = j < text.Length ? text[j] : throw new TemplateException("incomplete format");
            if (key is not null)
            {
                value = mapping is not null && mapping.TryGetValue(TemplateString.Template(key), out var v) ? v : throw new TemplateException($"format requires a mapping with '{key}'");
            }
            else if (positional is not null)
            {
                value = next < positional.Count ? positional[next++] : throw new TemplateException("not enough arguments for format string");
            }
            else
            {
                value = next++ == 0 ? args : throw new TemplateException("not enough arguments for format string");
            }

            builder.Append(Convert(value, conversion, spec));
            cursor = j + 1;
        }

        builder.Append(format.Slice(cursor));
        return builder.ToTemplateString();
    }

    private static TemplateString Convert(object? value, char conversion, string spec)
    {
        var precision = spec.Contains('.') ? int.Parse(spec[(spec.IndexOf('.') + 1)..], CultureInfo.InvariantCulture) : (int?)null;
        var width = spec.Split('.')[0].TrimStart('-', '+', ' ', '#', '0') is { Length: > 0 } w ? int.Parse(w, CultureInfo.InvariantCulture) : 0;
        TemplateString text = conversion switch
        {
            's' => Py.Str(value),
            'r' => TemplateString.Of(Py.Repr(value), Py.ContainsData(value) ? TextOrigin.Data : TextOrigin.Template),
            'd' or 'i' => TemplateString.Template(((long)Math.Truncate(Py.ToDouble(value))).ToString(CultureInfo.InvariantCulture)),
            'f' or 'F' => TemplateString.Template(Py.ToDouble(value).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture)),
            'x' => TemplateString.Template(Py.ToLong(value).ToString("x", CultureInfo.InvariantCulture)),
            _ => throw new TemplateException($"unsupported format character '{conversion}'"),
        };
        if (conversion == 's' && precision is { } p && p < text.Length)
        {
            text = text.Slice(0, p);
        }

        if (text.Length >= width)
        {
            return text;
        }

        var pad = TemplateString.Template(new string(spec.Contains('0') && conversion != 's' && !spec.Contains('-') ? '0' : ' ', width - text.Length));
        return spec.Contains('-') ? TemplateString.Concat(text, pad) : TemplateString.Concat(pad, text);
    }

    /// <summary><c>str.format</c>: {} {0} {name}, {{ and }}, with !r/!s and simple specs (width, .Nf, d).</summary>
    public static TemplateString Format(TemplateString format, CallArguments args)
    {
        var builder = new TemplateStringBuilder();
        var text = format.Text;
        var automatic = 0;
        var cursor = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                builder.Append(format.Slice(cursor, i - cursor + 1));
                i += 2;
                cursor = i;
                continue;
            }

            if (c != '{')
            {
                i++;
                continue;
            }

            builder.Append(format.Slice(cursor, i - cursor));
            var close = text.IndexOf('}', i);
            if (close < 0)
            {
                throw new TemplateException("Single '{' encountered in format string");
            }

            var field = text[(i + 1)..close];
            var spec = "";
            var colon = field.IndexOf(':');
            if (colon >= 0)
            {
                spec = field[(colon + 1)..];
                field = field[..colon];
            }

            var conversion = '\0';
            if (field.Length >= 2 && field[^2] == '!')
            {
                conversion = field[^1];
                field = field[..^2];
            }

            object? value;
            if (field.Length == 0)
            {
                value = automatic < args.Positional.Count ? args.Positional[automatic++] : throw new TemplateException("Replacement index out of range");
            }
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                value = index < args.Positional.Count ? args.Positional[index] : throw new TemplateException($"Replacement index {index} out of range");
            }
            else
            {
                value = args.Named.FirstOrDefault(n => n.Name == field) is { Name: not null } named ? named.Value : throw new TemplateException($"KeyError: '{field}'");
            }

            builder.Append(FormatValue(value, conversion, spec));
            i = close + 1;
            cursor = i;
        }

        builder.Append(format.Slice(cursor));
        return builder.ToTemplateString();
    }

    private static TemplateString FormatValue(object? value, char conversion, string spec)
    {
        if (conversion == 'r')
        {
            return TemplateString.Of(Py.Repr(value), Py.ContainsData(value) ? TextOrigin.Data : TextOrigin.Template);
        }

        if (spec.Length == 0)
        {
            return Py.Str(value);
        }

        var type = char.IsLetter(spec[^1]) ? spec[^1] : 's';
        var body = char.IsLetter(spec[^1]) ? spec[..^1] : spec;
        var precision = body.Contains('.') ? int.Parse(body[(body.IndexOf('.') + 1)..], CultureInfo.InvariantCulture) : (int?)null;
        var widthText = body.Split('.')[0].TrimStart('<', '>', '^', '0');
        var width = widthText.Length > 0 ? int.Parse(widthText, CultureInfo.InvariantCulture) : 0;
        var text = type switch
        {
            'f' => TemplateString.Template(Py.ToDouble(value).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture)),
            'd' => TemplateString.Template(Py.ToLong(value).ToString(CultureInfo.InvariantCulture)),
            _ => Py.Str(value),
        };
        if (text.Length >= width)
        {
            return text;
        }

        var pad = TemplateString.Template(new string(body.StartsWith('0') ? '0' : ' ', width - text.Length));
        var right = body.StartsWith('>') || (!body.StartsWith('<') && type is 'f' or 'd');
        return right ? TemplateString.Concat(pad, text) : TemplateString.Concat(text, pad);
    }

    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>C's strftime in the C locale (what Python gives on Linux), with glibc's %-d style no-padding flag.</summary>
    public static string Strftime(string format, DateTime time)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                result.Append(format[i]);
                continue;
            }

            var c = format[++i];
            var pad = true;
            if (c == '-' && i + 1 < format.Length)
            {
                pad = false;
                c = format[++i];
            }

            string Two(int n) => pad ? n.ToString("00", CultureInfo.InvariantCulture) : n.ToString(CultureInfo.InvariantCulture);
            result.Append(c switch
            {
                'a' => Days[(int)time.DayOfWeek][..3],
                'A' => Days[(int)time.DayOfWeek],
                'b' or 'h' => Months[time.Month - 1][..3],
                'B' => Months[time.Month - 1],
                'd' => Two(time.Day),
                'e' => time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(pad ? 2 : 1),
                'm' => Two(time.Month),
                'y' => Two(time.Year % 100),
                'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
                'H' => Two(time.Hour),
                'I' => Two(time.Hour % 12 == 0 ? 12 : time.Hour % 12),
                'M' => Two(time.Minute),
                'S' => Two(time.Second),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'j' => pad ? time.DayOfYear.ToString("000", CultureInfo.InvariantCulture) : time.DayOfYear.ToString(CultureInfo.InvariantCulture),
                'w' => ((int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'u' => (time.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'F' => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'T' => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'D' => time.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
                'c' => $"{Days[(int)time.DayOfWeek][..3]} {Months[time.Month - 1][..3]} {time.Day,2} {time:HH:mm:ss} {time.Year}",
                'x' => time.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
                'X' => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'Z' or 'z' => "",
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => "%" + c,
            });
        }

        return result.ToString();
    }
}
