using System.Globalization;
using System.Numerics;

namespace Nexa.Engine.Templates;

internal static partial class BuiltinFilters
{
    private static bool IsGiven(object? value) => value != CallArguments.Missing;

    /// <summary>jinja2's ignore_case: strings compare lower-cased unless case_sensitive.</summary>
    private static Func<object?, object?> SortKey(object? caseSensitive, object? attribute)
    {
        var get = IsGiven(attribute) && attribute is not null ? AttributeGetter(attribute) : (x => x);
        var sensitive = IsGiven(caseSensitive) && Py.Truthy(caseSensitive);
        return item =>
        {
            var key = get(item);
            return !sensitive && key is TemplateString s ? TemplateString.Template(PyCase.Lower(s.Text)) : key;
        };
    }

    private static readonly Comparer<object?> PythonOrder = Comparer<object?>.Create((a, b) => Py.Compare(a, b));

    private static List<object?> Sort(TemplateRenderer renderer, object? value, object?[] p)
    {
        var items = Items(value);
        renderer.Step(items.Count);
        var key = SortKey(p[1], p[2]);
        var descending = IsGiven(p[0]) && Py.Truthy(p[0]);
        var keyed = items.Select(i => (Item: i, Key: key(i))).ToList();
        var sorted = descending ? keyed.OrderByDescending(k => k.Key, PythonOrder) : keyed.OrderBy(k => k.Key, PythonOrder);
        return [.. sorted.Select(k => k.Item)];
    }

    private static List<object?> DictSort(object? value, object?[] p)
    {
        if (value is not PyDict dict)
        {
            throw new TemplateException($"dictsort needs a dict, not {Py.TypeName(value)}");
        }

        var byValue = IsGiven(p[1]) && Py.AsText(p[1])?.Text == "value";
        var key = SortKey(p[0], CallArguments.Missing);
        var pairs = dict.Select(pair => (object?)new PyTuple([pair.Key, pair.Value])).ToList();
        object? KeyOf(object? pair) => key(((PyTuple)pair!)[byValue ? 1 : 0]);
        var descending = IsGiven(p[2]) && Py.Truthy(p[2]);
        return [.. descending ? pairs.OrderByDescending(KeyOf, PythonOrder) : pairs.OrderBy(KeyOf, PythonOrder)];
    }

    private static List<object?> Unique(object? value, object?[] p)
    {
        var key = SortKey(p[0], p[1]);
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in Items(value))
        {
            var k = key(item);
            if (!seen.Any(s => Py.Equal(s, k)))
            {
                seen.Add(k);
                result.Add(item);
            }
        }

        return result;
    }

    private static object? MinMax(object? value, object?[] p, bool max)
    {
        var items = Items(value);
        if (items.Count == 0)
        {
            return Undefined.Variable($"no {(max ? "largest" : "smallest")} item, sequence was empty");
        }

        var key = SortKey(p[0], p[1]);
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            var order = Py.Compare(key(item), key(best));
            if (max ? order > 0 : order < 0)
            {
                best = item;
            }
        }

        return best;
    }

    private static List<object?> Map(TemplateRenderer renderer, object? value, CallArguments args)
    {
        var items = Items(value);
        renderer.Step(items.Count);
        if (args.Positional.Count == 0)
        {
            var attribute = args.Named.FirstOrDefault(n => n.Name == "attribute");
            if (attribute.Name is null)
            {
                throw new TemplateException("map needs a filter name or attribute=");
            }

            var fallback = args.Named.FirstOrDefault(n => n.Name == "default");
            var get = AttributeGetter(attribute.Value);
            return [.. items.Select(i => get(i) is Undefined && fallback.Name is not null ? fallback.Value : get(i))];
        }

        var filter = Text(args.Positional[0]).Text;
        if (!Exists(filter))
        {
            throw new TemplateException($"no filter named '{filter}'");
        }

        var rest = args with { Positional = [.. args.Positional.Skip(1)] };
        return [.. items.Select(i => Run(renderer, filter, i, rest))];
    }

    private static List<object?> Select(TemplateRenderer renderer, IReadOnlyList<object?> items, Func<object?, object?>? attribute, CallArguments args, bool keep)
    {
        renderer.Step(items.Count);
        Func<object?, bool> test;
        if (args.Positional.Count == 0)
        {
            test = Py.Truthy;
        }
        else
        {
            var name = Text(args.Positional[0]).Text;
            if (!BuiltinTests.Exists(name))
            {
                throw new TemplateException($"no test named '{name}'");
            }

            var rest = args with { Positional = [.. args.Positional.Skip(1)] };
            test = v => BuiltinTests.Apply(renderer, name, v, rest);
        }

        return [.. items.Where(i => test(attribute is null ? i : attribute(i)) == keep)];
    }

    private static List<object?> Batch(IReadOnlyList<object?> items, int size, object? fill)
    {
        if (size <= 0)
        {
            throw new TemplateException("batch size must be positive");
        }

        var batches = new List<object?>();
        for (var i = 0; i < items.Count; i += size)
        {
            var batch = new List<object?>(items.Skip(i).Take(size));
            while (fill != CallArguments.Missing && batch.Count < size)
            {
                batch.Add(fill);
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static TemplateString Escape(TemplateString text)
    {
        foreach (var (from, to) in new[] { ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&#34;"), ("'", "&#39;") })
        {
            text = PyStrings.Replace(text, TemplateString.Template(from), TemplateString.Of(to, text.HasData ? TextOrigin.Data : TextOrigin.Template), -1);
        }

        return text;
    }

    private static TemplateString Indent(TemplateString text, object?[] p)
    {
        var indent = IsGiven(p[0]) ? p[0] is TemplateString w ? w : TemplateString.Template(new string(' ', (int)Py.ToLong(p[0]))) : TemplateString.Template("    ");
        var first = IsGiven(p[1]) && Py.Truthy(p[1]);
        var blank = IsGiven(p[2]) && Py.Truthy(p[2]);
        var newline = TemplateString.Template("\n");
        var lines = PyStrings.SplitLines(TemplateString.Concat(text, newline)).Cast<TemplateString>().ToList();
        var builder = new TemplateStringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(newline);
                if (blank || lines[i].Length > 0)
                {
                    builder.Append(indent);
                }
            }

            builder.Append(lines[i]);
        }

        var result = builder.ToTemplateString();
        return first ? TemplateString.Concat(indent, result) : result;
    }

    private static object? ToInt(object? value, object? fallback, int numberBase)
    {
        switch (value)
        {
            case bool b:
                return b ? 1L : 0L;
            case long l:
                return l;
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                return (long)Math.Truncate(d);
            case TemplateString s:
                var text = s.Text.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (numberBase == 10 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    if (numberBase != 10)
                    {
                        return Convert.ToInt64(text, numberBase);
                    }
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                {
                    return fallback;
                }

                return ToFloat(value, null) is double f && !double.IsNaN(f) && !double.IsInfinity(f) ? (long)Math.Truncate(f) : fallback;
            default:
                return fallback;
        }
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        bool b => b ? 1.0 : 0.0,
        long l => (double)l,
        double d => d,
        TemplateString s => s.Text.Trim().ToLowerInvariant() switch
        {
            "nan" or "+nan" or "-nan" => double.NaN,
            "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
            "-inf" or "-infinity" => double.NegativeInfinity,
            var t when double.TryParse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => f,
            _ => fallback,
        },
        _ => fallback,
    };

    private static object Round(object? value, object?[] p)
    {
        var precision = IsGiven(p[0]) ? (int)Py.ToLong(p[0]) : 0;
        var method = IsGiven(p[1]) ? Text(p[1]).Text : "common";
        if (value is long or bool && method == "common")
        {
            return Py.ToLong(value);
        }

        var x = Py.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => RoundHalfEven(x, precision),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new TemplateException("method must be common, ceil or floor"),
        };
    }

    /// <summary>Python's round(x, n): the exact binary value rounded half to even at n decimals.</summary>
    private static double RoundHalfEven(double x, int digits)
    {
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0 || digits is > 22 or < -22)
        {
            return x;
        }

        var bits = BitConverter.DoubleToInt64Bits(x);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent++;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075; // |x| = mantissa * 2^exponent exactly
        var numerator = new BigInteger(mantissa) * (exponent > 0 ? BigInteger.Pow(2, exponent) : BigInteger.One);
        var denominator = exponent < 0 ? BigInteger.Pow(2, -exponent) : BigInteger.One;
        if (digits >= 0)
        {
            numerator *= BigInteger.Pow(10, digits);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -digits);
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient += 1;
        }

        var result = digits >= 0 ? (double)quotient / Math.Pow(10, digits) : (double)quotient * Math.Pow(10, -digits);
        return negative ? -result : result;
    }
}
