using System.Globalization;
using System.Text;

namespace Nexa.Engine.Templates;

/// <summary>Python's semantics for the values templates use: truthiness, equality, ordering, str/repr, arithmetic.</summary>
internal static class Py
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        NullContent => "NoneType",
        Undefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        TemplateString => "str",
        PyTuple => "tuple",
        List<object?> => "list",
        PyDict => "dict",
        Namespace => "Namespace",
        LoopState => "LoopContext",
        ITemplateCallable => "function",
        _ => value.GetType().Name,
    };

    public static bool Truthy(object? value) => value switch
    {
        null or Undefined or NullContent => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        TemplateString s => s.Length > 0,
        List<object?> list => list.Count > 0,
        PyDict dict => dict.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is bool or long or double;

    public static bool Equal(object? a, object? b)
    {
        if (a is NullContent)
        {
            a = null;
        }

        if (b is NullContent)
        {
            b = null;
        }

        switch (a, b)
        {
            case (null, null):
                return true;
            case (null, _) or (_, null):
                return false;
            case (Undefined, Undefined):
                return true;
            case (Undefined, _) or (_, Undefined):
                return false;
            case (TemplateString x, TemplateString y):
                return x.Text == y.Text;
            case (TemplateString, _) or (_, TemplateString):
                return false;
            case (double x, _) when IsNumber(b):
                return x == ToDouble(b);
            case (_, double y) when IsNumber(a):
                return ToDouble(a) == y;
            case (_, _) when IsNumber(a) && IsNumber(b):
                return ToLong(a) == ToLong(b);
            case (List<object?> x, List<object?> y):
                return x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second));
            case (PyDict x, PyDict y):
                return x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && Equal(p.Value, v));
            default:
                return ReferenceEquals(a, b);
        }
    }

    /// <summary>Python's ordering (&lt; and friends): numbers, strings by code point, lists element by element.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        }

        if (a is TemplateString x && b is TemplateString y)
        {
            return Math.Sign(string.CompareOrdinal(x.Text, y.Text));
        }

        if (a is List<object?> p && b is List<object?> q)
        {
            for (var i = 0; i < Math.Min(p.Count, q.Count); i++)
            {
                if (!Equal(p[i], q[i]))
                {
                    return Compare(p[i], q[i], op);
                }
            }

            return p.Count.CompareTo(q.Count);
        }

        if (a is Undefined u)
        {
            throw new TemplateException(u.Message);
        }

        if (b is Undefined v)
        {
            throw new TemplateException(v.Message);
        }

        throw new TemplateException($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static long ToLong(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => (long)d,
        _ => throw new TemplateException($"expected a number, got '{TypeName(value)}'"),
    };

    public static double ToDouble(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new TemplateException($"expected a number, got '{TypeName(value)}'"),
    };

    /// <summary>The value as text for string operations: a string, or "" for a message's missing content.</summary>
    public static TemplateString? AsText(object? value) => value switch
    {
        TemplateString s => s,
        NullContent => TemplateString.Empty,
        _ => null,
    };

    /// <summary>Python's str(value), keeping the origin of strings; lists and dicts print as Python reprs.</summary>
    public static TemplateString Str(object? value) => value switch
    {
        TemplateString s => s,
        Undefined or NullContent => TemplateString.Empty,
        List<object?> or PyDict => TemplateString.Of(Repr(value), ContainsData(value) ? TextOrigin.Data : TextOrigin.Template),
        _ => TemplateString.Template(Repr(value)),
    };

    /// <summary>Any string inside the value came from the request.</summary>
    public static bool ContainsData(object? value) => value switch
    {
        TemplateString s => s.HasData,
        List<object?> list => list.Any(ContainsData),
        PyDict dict => dict.Any(p => ContainsData(p.Key) || ContainsData(p.Value)),
        _ => false,
    };

    public static string Repr(object? value) => value switch
    {
        null or NullContent => "None",
        Undefined => "Undefined",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        TemplateString s => StringRepr(s.Text),
        PyTuple t => t.Count == 1 ? $"({Repr(t[0])},)" : "(" + string.Join(", ", t.Select(Repr)) + ")",
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        PyDict dict => "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        Namespace ns => "<Namespace " + string.Join(", ", ns.Attributes.Select(p => p.Key + "=" + Repr(p.Value))) + ">",
        _ => $"<{TypeName(value)}>",
    };

    /// <summary>Python's repr of a float: the shortest digits that round-trip, scientific below 1e-4 and from 1e16.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // "E16" is not shortest; "R" is, but .NET chooses its own notation: re-derive digits and exponent from it.
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var dot = r.IndexOf('.');
        var digits = dot < 0 ? r : r.Remove(dot, 1);
        var pointAt = (dot < 0 ? r.Length : dot) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0');
        pointAt -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        var sciExponent = pointAt - 1;
        string text;
        if (sciExponent < -4 || sciExponent >= 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            text = mantissa + "e" + (sciExponent < 0 ? "-" : "+") + Math.Abs(sciExponent).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (pointAt <= 0)
        {
            text = "0." + new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            text = digits + new string('0', pointAt - digits.Length) + ".0";
        }
        else
        {
            text = digits[..pointAt] + "." + digits[pointAt..];
        }

        return negative ? "-" + text : text;
    }

    public static string StringRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var builder = new StringBuilder(s.Length + 2).Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append(quote).ToString();
    }

    /// <summary>What a for loop walks: list items, dict keys, a string's characters; undefined is empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        Undefined or NullContent => [],
        List<object?> list => list,
        PyDict dict => [.. dict.Keys],
        TemplateString s => [.. Enumerable.Range(0, s.Length).Select(i => (object?)s.Slice(i, 1))],
        Namespace ns => [.. ns.Attributes.Keys.Select(k => (object?)TemplateString.Template(k))],
        _ => throw new TemplateException($"'{TypeName(value)}' object is not iterable"),
    };

    public static bool IsIterable(object? value) => value is Undefined or List<object?> or PyDict or TemplateString;

    public static long Length(object? value) => value switch
    {
        Undefined or NullContent => 0,
        TemplateString s => s.Length,
        List<object?> list => list.Count,
        PyDict dict => dict.Count,
        _ => throw new TemplateException($"object of type '{TypeName(value)}' has no len()"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        TemplateString or NullContent when AsText(item) is { } needle => AsText(container)!.Text.Contains(needle.Text, StringComparison.Ordinal),
        TemplateString or NullContent => throw new TemplateException($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> list => list.Any(x => Equal(x, item)),
        PyDict dict => dict.ContainsKey(item),
        Undefined => false, // jinja2's Undefined iterates as empty, so nothing is in it
        _ => throw new TemplateException($"argument of type '{TypeName(container)}' is not iterable"),
    };
}
