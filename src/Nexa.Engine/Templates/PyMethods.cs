namespace Nexa.Engine.Templates;

/// <summary>
/// The Python methods of str, list and dict that templates call (<c>content.split('&lt;/think&gt;')</c>,
/// <c>messages.append(…)</c>, <c>tool.items()</c>). String methods cut with slices, so characters keep their origin.
/// </summary>
internal static class PyMethods
{
    public static BuiltinFunction? Find(object? value, string name) => value switch
    {
        TemplateString or NullContent => StringMethod(Py.AsText(value)!, name),
        List<object?> list => ListMethod(list, name),
        PyDict dict => DictMethod(dict, name),
        _ => null,
    };

    private static BuiltinFunction Method(string name, Func<CallArguments, object?> body) => new(name, (_, args, _) => body(args));

    private static BuiltinFunction? StringMethod(TemplateString s, string name) => name switch
    {
        "upper" => Method(name, _ => s.WithText(PyCase.Upper(s.Text))),
        "lower" => Method(name, _ => s.WithText(PyCase.Lower(s.Text))),
        "casefold" => Method(name, _ => s.WithText(PyCase.CaseFold(s.Text))),
        "swapcase" => Method(name, _ => s.WithText(PyCase.SwapCase(s.Text))),
        "title" => Method(name, _ => s.WithText(PyCase.Title(s.Text))),
        "capitalize" => Method(name, _ => s.WithText(PyCase.Capitalize(s.Text))),
        "strip" => Method(name, a => PyStrings.Strip(s, Chars(a, name), left: true, right: true)),
        "lstrip" => Method(name, a => PyStrings.Strip(s, Chars(a, name), left: true, right: false)),
        "rstrip" => Method(name, a => PyStrings.Strip(s, Chars(a, name), left: false, right: true)),
        "split" => Method(name, a => Split(s, a, name, fromRight: false)),
        "rsplit" => Method(name, a => Split(s, a, name, fromRight: true)),
        "splitlines" => Method(name, _ => PyStrings.SplitLines(s)),
        "startswith" => Method(name, a => Affix(s, a, name, start: true)),
        "endswith" => Method(name, a => Affix(s, a, name, start: false)),
        "replace" => Method(name, a =>
        {
            var p = a.Bind(name, "old", "new", "count");
            return PyStrings.Replace(s, Text(p[0], name), Text(p[1], name), p[2] == CallArguments.Missing ? -1 : Py.ToLong(p[2]));
        }),
        "find" => Method(name, a => (long)s.Text.IndexOf(Text(a.Bind(name, "sub")[0], name).Text, StringComparison.Ordinal)),
        "rfind" => Method(name, a => (long)s.Text.LastIndexOf(Text(a.Bind(name, "sub")[0], name).Text, StringComparison.Ordinal)),
        "index" => Method(name, a => s.Text.IndexOf(Text(a.Bind(name, "sub")[0], name).Text, StringComparison.Ordinal) is var i and >= 0
            ? (long)i : throw new TemplateException("substring not found")),
        "count" => Method(name, a => PyStrings.Count(s.Text, Text(a.Bind(name, "sub")[0], name).Text)),
        "join" => Method(name, a => PyStrings.Join(s, Py.Iterate(a.Bind(name, "iterable")[0]))),
        "format" => Method(name, a => PyFormat.Format(s, a)),
        "removeprefix" => Method(name, a => Text(a.Bind(name, "prefix")[0], name) is var p && s.Text.StartsWith(p.Text, StringComparison.Ordinal) ? s.Slice(p.Length) : s),
        "removesuffix" => Method(name, a => Text(a.Bind(name, "suffix")[0], name) is var p && p.Length > 0 && s.Text.EndsWith(p.Text, StringComparison.Ordinal) ? s.Slice(0, s.Length - p.Length) : s),
        "isdigit" or "isnumeric" or "isdecimal" => Method(name, _ => s.Length > 0 && s.Text.All(char.IsDigit)),
        "isalpha" => Method(name, _ => s.Length > 0 && s.Text.All(char.IsLetter)),
        "isalnum" => Method(name, _ => s.Length > 0 && s.Text.All(char.IsLetterOrDigit)),
        "isspace" => Method(name, _ => s.Length > 0 && s.Text.All(c => TemplateLexer.PythonWhitespace.Contains(c))),
        "islower" => Method(name, _ => PyCase.IsLower(s.Text)),
        "isupper" => Method(name, _ => PyCase.IsUpper(s.Text)),
        "istitle" => Method(name, _ => PyCase.IsTitle(s.Text)),
        "ljust" or "rjust" or "center" => Method(name, a =>
        {
            var p = a.Bind(name, "width", "fillchar");
            var fill = p[1] == CallArguments.Missing ? " " : Text(p[1], name).Text;
            return PyStrings.Pad(s, (int)Py.ToLong(p[0]), fill, name);
        }),
        "zfill" => Method(name, a => PyStrings.Pad(s, (int)Py.ToLong(a.Bind(name, "width")[0]), "0", "rjust")),
        "partition" or "rpartition" => Method(name, a =>
        {
            var sep = Text(a.Bind(name, "sep")[0], name).Text;
            var at = name == "partition" ? s.Text.IndexOf(sep, StringComparison.Ordinal) : s.Text.LastIndexOf(sep, StringComparison.Ordinal);
            return at < 0
                ? name == "partition" ? new PyTuple([s, TemplateString.Empty, TemplateString.Empty]) : new PyTuple([TemplateString.Empty, TemplateString.Empty, s])
                : new PyTuple([s.Slice(0, at), s.Slice(at, sep.Length), s.Slice(at + sep.Length)]);
        }),
        _ => null,
    };

    private static TemplateString Text(object? value, string method) =>
        Py.AsText(value) ?? throw new TemplateException($"{method}() argument must be str, not {Py.TypeName(value)}");

    private static string? Chars(CallArguments args, string method)
    {
        var chars = args.Bind(method, "chars")[0];
        return chars == CallArguments.Missing || chars is null ? null : Text(chars, method).Text;
    }

    private static List<object?> Split(TemplateString s, CallArguments args, string method, bool fromRight)
    {
        var p = args.Bind(method, "sep", "maxsplit");
        var sep = p[0] == CallArguments.Missing || p[0] is null ? null : Text(p[0], method).Text;
        var max = p[1] == CallArguments.Missing ? -1 : Py.ToLong(p[1]);
        if (sep is { Length: 0 })
        {
            throw new TemplateException("empty separator");
        }

        return PyStrings.Split(s, sep, max, fromRight);
    }

    private static bool Affix(TemplateString s, CallArguments args, string method, bool start)
    {
        var p = args.Bind(method, "prefix", "start", "end");
        var text = s.Text;
        if (p[1] != CallArguments.Missing && p[1] is not null)
        {
            var from = (int)Math.Clamp(Py.ToLong(p[1]) < 0 ? Py.ToLong(p[1]) + text.Length : Py.ToLong(p[1]), 0, text.Length);
            var to = p[2] == CallArguments.Missing || p[2] is null ? text.Length
                : (int)Math.Clamp(Py.ToLong(p[2]) < 0 ? Py.ToLong(p[2]) + text.Length : Py.ToLong(p[2]), 0, text.Length);
            text = to > from ? text[from..to] : "";
        }

        var candidates = p[0] is List<object?> options ? options.Select(o => Text(o, method).Text) : [Text(p[0], method).Text];
        return candidates.Any(c => start ? text.StartsWith(c, StringComparison.Ordinal) : text.EndsWith(c, StringComparison.Ordinal));
    }

    private static BuiltinFunction? ListMethod(List<object?> list, string name) => name switch
    {
        "append" => Method(name, a =>
        {
            PyOperators.CheckLength(list.Count + 1L);
            list.Add(a.Bind(name, "item")[0]);
            return null;
        }),
        "extend" => Method(name, a =>
        {
            var items = Py.Iterate(a.Bind(name, "iterable")[0]);
            PyOperators.CheckLength((long)list.Count + items.Count);
            list.AddRange(items);
            return null;
        }),
        "insert" => Method(name, a =>
        {
            var p = a.Bind(name, "index", "item");
            var i = Py.ToLong(p[0]);
            i = Math.Clamp(i < 0 ? i + list.Count : i, 0, list.Count);
            list.Insert((int)i, p[1]);
            return null;
        }),
        "pop" => Method(name, a =>
        {
            var p = a.Bind(name, "index");
            var i = p[0] == CallArguments.Missing ? list.Count - 1 : Py.ToLong(p[0]);
            i = i < 0 ? i + list.Count : i;
            if (i < 0 || i >= list.Count)
            {
                throw new TemplateException("pop index out of range");
            }

            var item = list[(int)i];
            list.RemoveAt((int)i);
            return item;
        }),
        "remove" => Method(name, a =>
        {
            var item = a.Bind(name, "value")[0];
            var i = list.FindIndex(x => Py.Equal(x, item));
            if (i < 0)
            {
                throw new TemplateException("list.remove(x): x not in list");
            }

            list.RemoveAt(i);
            return null;
        }),
        "index" => Method(name, a =>
        {
            var item = a.Bind(name, "value")[0];
            var i = list.FindIndex(x => Py.Equal(x, item));
            return i >= 0 ? (long)i : throw new TemplateException($"{Py.Repr(item)} is not in list");
        }),
        "count" => Method(name, a =>
        {
            var item = a.Bind(name, "value")[0];
            return (long)list.Count(x => Py.Equal(x, item));
        }),
        "copy" => Method(name, _ => list is PyTuple ? new PyTuple(list) : new List<object?>(list)),
        "reverse" => Method(name, _ =>
        {
            list.Reverse();
            return null;
        }),
        "clear" => Method(name, _ =>
        {
            list.Clear();
            return null;
        }),
        _ => null,
    };

    private static BuiltinFunction? DictMethod(PyDict dict, string name) => name switch
    {
        "get" => Method(name, a =>
        {
            var p = a.Bind(name, "key", "default");
            return dict.TryGetValue(p[0], out var value) ? value : p[1] == CallArguments.Missing ? null : p[1];
        }),
        "items" => Method(name, _ => new List<object?>(dict.Select(p => (object?)new PyTuple([p.Key, p.Value])))),
        "keys" => Method(name, _ => new List<object?>(dict.Keys)),
        "values" => Method(name, _ => new List<object?>(dict.Values)),
        "pop" => Method(name, a =>
        {
            var p = a.Bind(name, "key", "default");
            if (p[0] is not null && dict.ContainsKey(p[0]) && dict.Remove(p[0]!, out var value))
            {
                return value;
            }

            return p[1] != CallArguments.Missing ? p[1] : throw new TemplateException($"KeyError: {Py.Repr(p[0])}");
        }),
        "setdefault" => Method(name, a =>
        {
            var p = a.Bind(name, "key", "default");
            var fallback = p[1] == CallArguments.Missing ? null : p[1];
            if (dict.TryGetValue(p[0], out var value))
            {
                return value;
            }

            dict[p[0]!] = fallback;
            return fallback;
        }),
        "update" => Method(name, a =>
        {
            foreach (var other in a.Positional)
            {
                if (other is not PyDict source)
                {
                    throw new TemplateException($"dict.update() needs a dict, not {Py.TypeName(other)}");
                }

                foreach (var (key, value) in source)
                {
                    dict[key] = value;
                }
            }

            foreach (var (key, value) in a.Named)
            {
                dict[TemplateString.Template(key)] = value;
            }

            return null;
        }),
        "copy" => Method(name, _ =>
        {
            var copy = new PyDict();
            foreach (var (key, value) in dict)
            {
                copy[key] = value;
            }

            return copy;
        }),
        "clear" => Method(name, _ =>
        {
            dict.Clear();
            return null;
        }),
        _ => null,
    };
}
