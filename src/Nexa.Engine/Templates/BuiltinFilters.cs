using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexa.Engine.Templates;

/// <summary>
/// jinja2's filters that chat templates use, with transformers' <c>tojson</c> (Python's json.dumps with
/// ensure_ascii off). Sorting, unique, min and max ignore case by default, as jinja2's do.
/// </summary>
internal static partial class BuiltinFilters
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first",
        "float", "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map",
        "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
        "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    };

    public static bool Exists(string name) => Names.Contains(name);

    public static object? Apply(TemplateRenderer renderer, string name, object? value, CallArguments args, int line)
    {
        try
        {
            return Run(renderer, name, value, args);
        }
        catch (TemplateException e) when (e.Line == 0)
        {
            throw new TemplateException($"filter '{name}': {e.Message}", line);
        }
    }

    private static object? Run(TemplateRenderer renderer, string name, object? value, CallArguments args)
    {
        object?[] Bind(params string[] names) => args.Bind(name, names);
        static bool Given(object? v) => v != CallArguments.Missing;
        switch (name)
        {
            case "abs":
                return value switch
                {
                    long l => (object)checked(Math.Abs(l)),
                    double real => Math.Abs(real),
                    bool b => b ? 1L : 0L,
                    _ => throw new TemplateException($"bad operand type for abs(): '{Py.TypeName(value)}'"),
                };
            case "attr":
                var attribute = Text(Bind("name")[0]).Text;
                return value is Namespace or LoopState ? TemplateRenderer.GetAttribute(value, attribute)
                    : PyMethods.Find(value, attribute) ?? (object)Undefined.Attribute(value, attribute);
            case "batch":
                var batch = Bind("linecount", "fill_with");
                return Batch(Items(value), (int)Py.ToLong(batch[0]), Given(batch[1]) ? batch[1] : CallArguments.Missing);
            case "capitalize":
                var c = Str(value);
                return c.WithText(PyCase.Capitalize(c.Text));
            case "center":
                var center = Bind("width");
                return PyStrings.Pad(Str(value), Given(center[0]) ? (int)Py.ToLong(center[0]) : 80, " ", "center");
            case "count" or "length":
                return Py.Length(value);
            case "d" or "default":
                var d = Bind("default_value", "boolean");
                var fallback = Given(d[0]) ? d[0] : TemplateString.Empty;
                return value is Undefined || (Given(d[1]) && Py.Truthy(d[1]) && !Py.Truthy(value)) ? fallback : value;
            case "dictsort":
                return DictSort(value, Bind("case_sensitive", "by", "reverse"));
            case "e" or "escape" or "forceescape":
                return Escape(Str(value));
            case "first":
                var all = Items(value);
                return all.Count > 0 ? all[0] : Undefined.Variable("no first item, sequence was empty");
            case "last":
                var items = Items(value);
                return items.Count > 0 ? items[^1] : Undefined.Variable("no last item, sequence was empty");
            case "float":
                var f = Bind("default");
                return ToFloat(value, Given(f[0]) ? f[0] : 0.0);
            case "format":
                if (args.Positional.Count > 0 && args.Named.Count > 0)
                {
                    throw new TemplateException("can't handle positional and keyword arguments at the same time");
                }

                object? formatArgs = args.Named.Count > 0
                    ? NamedDict(args)
                    : args.Positional.Count == 1 && args.Positional[0] is not List<object?> ? args.Positional[0] : new PyTuple(args.Positional);
                return PyFormat.Percent(Str(value), formatArgs);
            case "indent":
                return Indent(Str(value), Bind("width", "first", "blank"));
            case "int":
                var i = Bind("default", "base");
                return ToInt(value, Given(i[0]) ? i[0] : 0L, Given(i[1]) ? (int)Py.ToLong(i[1]) : 10);
            case "items":
                return value switch
                {
                    Undefined => new List<object?>(),
                    PyDict dict => new List<object?>(dict.Select(p => (object?)new PyTuple([p.Key, p.Value]))),
                    _ => throw new TemplateException("Can only get item pairs from a mapping."),
                };
            case "join":
                var join = Bind("d", "attribute");
                var joined = Items(value);
                if (Given(join[1]) && join[1] is not null)
                {
                    joined = [.. joined.Select(AttributeGetter(join[1]))];
                }

                return PyStrings.Join(Given(join[0]) ? Str(join[0]) : TemplateString.Empty, joined);
            case "list":
                return new List<object?>(Items(value));
            case "lower":
                var lower = Str(value);
                return lower.WithText(PyCase.Lower(lower.Text));
            case "upper":
                var upper = Str(value);
                return upper.WithText(PyCase.Upper(upper.Text));
            case "title":
                var title = Str(value);
                return title.WithText(PyCase.TitleWords(title.Text));
            case "map":
                return Map(renderer, value, args);
            case "max" or "min":
                return MinMax(value, Bind("case_sensitive", "attribute"), name == "max");
            case "select" or "reject":
                return Select(renderer, Items(value), null, args, keep: name == "select");
            case "selectattr" or "rejectattr":
                if (args.Positional.Count == 0)
                {
                    throw new TemplateException("missing the attribute to test");
                }

                return Select(renderer, Items(value), AttributeGetter(args.Positional[0]), args with { Positional = [.. args.Positional.Skip(1)] },
                    keep: name == "selectattr");
            case "replace":
                var r = Bind("old", "new", "count");
                return PyStrings.Replace(Str(value), Str(r[0]), Str(r[1]), Given(r[2]) && r[2] is not null ? Py.ToLong(r[2]) : -1);
            case "reverse":
                if (value is TemplateString s)
                {
                    return TemplateRenderer.Slice(s, null, null, -1L);
                }

                var reversed = new List<object?>(Items(value));
                reversed.Reverse();
                return reversed;
            case "round":
                return Round(value, Bind("precision", "method"));
            case "safe":
                return value;
            case "sort":
                return Sort(renderer, value, Bind("reverse", "case_sensitive", "attribute"));
            case "string":
                return Py.Str(value);
            case "sum":
                var sum = Bind("attribute", "start");
                var total = Given(sum[1]) ? sum[1] : 0L;
                var terms = Items(value);
                if (Given(sum[0]) && sum[0] is not null)
                {
                    terms = [.. terms.Select(AttributeGetter(sum[0]))];
                }

                foreach (var term in terms)
                {
                    total = PyOperators.Binary("+", total, term);
                }

                return total;
            case "tojson":
                var j = Bind("ensure_ascii", "indent", "separators", "sort_keys");
                (string, string)? separators = Given(j[2]) && j[2] is List<object?> { Count: 2 } pair ? (Str(pair[0]).Text, Str(pair[1]).Text) : null;
                var json = PyJson.Dumps(value, Given(j[1]) ? j[1] : null, separators, Given(j[3]) && Py.Truthy(j[3]));
                return Given(j[0]) && Py.Truthy(j[0]) ? json.WithText(AsciiOnly(json.Text)) : json;
            case "trim":
                var trim = Bind("chars");
                return PyStrings.Strip(Str(value), Given(trim[0]) && trim[0] is not null ? Str(trim[0]).Text : null, left: true, right: true);
            case "unique":
                return Unique(value, Bind("case_sensitive", "attribute"));
            case "wordcount":
                return (long)WordPattern().Matches(Str(value).Text).Count;
            default:
                throw new TemplateException($"no filter named '{name}'");
        }
    }

    private static TemplateString Str(object? value) => Py.Str(value);

    private static TemplateString Text(object? value) => Py.AsText(value) ?? throw new TemplateException($"expected a string, got {Py.TypeName(value)}");

    private static IReadOnlyList<object?> Items(object? value) => Py.Iterate(value);

    private static PyDict NamedDict(CallArguments args)
    {
        var dict = new PyDict();
        foreach (var (key, item) in args.Named)
        {
            dict[TemplateString.Template(key)] = item;
        }

        return dict;
    }

    /// <summary>jinja2's attribute getter: "a.b.0" looks up a, then b, then index 0, items before attributes.</summary>
    internal static Func<object?, object?> AttributeGetter(object? attribute)
    {
        if (attribute is long index)
        {
            return item => TemplateRenderer.GetItem(item, index);
        }

        var parts = Text(attribute).Text.Split('.');
        return item =>
        {
            foreach (var part in parts)
            {
                if (item is Undefined)
                {
                    return item;
                }

                item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
                    ? TemplateRenderer.GetItem(item, i)
                    : TemplateRenderer.GetItem(item, TemplateString.Template(part));
            }

            return item;
        };
    }

    private static string AsciiOnly(string json)
    {
        var builder = new System.Text.StringBuilder(json.Length);
        foreach (var c in json)
        {
            builder.Append(c < 0x80 ? c.ToString() : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();
}
