using System.Globalization;
using System.Text;

namespace Nexa.Engine.Templates;

/// <summary>
/// Python's <c>json.dumps(value, ensure_ascii=False, indent=…, separators=…, sort_keys=…)</c>, which is what
/// transformers' <c>tojson</c> filter calls: ", " and ": " between items without an indent, "," and ": " with one,
/// floats as Python prints them, non-ASCII characters as they are.
/// </summary>
internal static class PyJson
{
    public static TemplateString Dumps(object? value, object? indent = null, (string Item, string Key)? separators = null, bool sortKeys = false)
    {
        var indentText = indent switch
        {
            null or NullContent => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            bool b => b ? " " : "",
            TemplateString s => s.Text,
            _ => throw new TemplateException($"tojson indent must be an int or a string, not {Py.TypeName(indent)}"),
        };
        var (item, key) = separators ?? (indentText is null ? (", ", ": ") : (",", ": "));
        var builder = new StringBuilder();
        Write(builder, value, indentText, item, key, sortKeys, 0);
        PyOperators.CheckLength(builder.Length);
        return TemplateString.Of(builder.ToString(), Py.ContainsData(value) ? TextOrigin.Data : TextOrigin.Template);
    }

    private static void Write(StringBuilder builder, object? value, string? indent, string item, string key, bool sortKeys, int depth)
    {
        if (depth > 200)
        {
            throw new TemplateException("tojson: value nests too deeply");
        }

        switch (value)
        {
            case null or NullContent:
                builder.Append("null");
                return;
            case bool b:
                builder.Append(b ? "true" : "false");
                return;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : Py.FloatRepr(d));
                return;
            case TemplateString s:
                WriteString(builder, s.Text);
                return;
            case List<object?> list:
                WriteContainer(builder, '[', ']', list.Count, indent, item, depth, i => Write(builder, list[i], indent, item, key, sortKeys, depth + 1));
                return;
            case PyDict dict:
                var pairs = dict.ToList();
                if (sortKeys)
                {
                    pairs.Sort((a, b) => Py.Compare(a.Key, b.Key));
                }

                WriteContainer(builder, '{', '}', pairs.Count, indent, item, depth, i =>
                {
                    WriteString(builder, KeyText(pairs[i].Key));
                    builder.Append(key);
                    Write(builder, pairs[i].Value, indent, item, key, sortKeys, depth + 1);
                });
                return;
            default:
                throw new TemplateException($"Object of type {Py.TypeName(value)} is not JSON serializable");
        }
    }

    private static void WriteContainer(StringBuilder builder, char open, char close, int count, string? indent, string item, int depth, Action<int> writeItem)
    {
        builder.Append(open);
        if (count == 0)
        {
            builder.Append(close);
            return;
        }

        var separator = indent is null ? item : item + "\n" + Repeat(indent, depth + 1);
        if (indent is not null)
        {
            builder.Append('\n').Append(Repeat(indent, depth + 1));
        }

        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(separator);
            }

            writeItem(i);
        }

        if (indent is not null)
        {
            builder.Append('\n').Append(Repeat(indent, depth));
        }

        builder.Append(close);
    }

    private static string Repeat(string text, int times) => times <= 0 || text.Length == 0 ? "" : string.Concat(Enumerable.Repeat(text, times));

    private static string KeyText(object key) => key switch
    {
        TemplateString s => s.Text,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Py.FloatRepr(d),
        _ => throw new TemplateException($"keys must be str, int, float, bool or None, not {Py.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
