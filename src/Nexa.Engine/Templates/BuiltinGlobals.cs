namespace Nexa.Engine.Templates;

/// <summary>
/// The functions every template sees: jinja2's <c>range</c>, <c>dict</c>, <c>namespace</c> and <c>joiner</c>, and
/// transformers' <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
internal static class BuiltinGlobals
{
    public static void AddTo(Scope scope)
    {
        scope.Set("range", new BuiltinFunction("range", (renderer, args, _) => Range(renderer, args)));
        scope.Set("dict", new BuiltinFunction("dict", (_, args, _) => Dict(args)));
        scope.Set("namespace", new BuiltinFunction("namespace", (_, args, _) => Namespace(args)));
        scope.Set("joiner", new BuiltinFunction("joiner", (_, args, _) => Joiner(args)));
        scope.Set("raise_exception", new BuiltinFunction("raise_exception", (_, args, line) =>
            throw new TemplateRaisedException(Py.Str(args.Bind("raise_exception", "message")[0] is var m && m == CallArguments.Missing ? null : m).Text, line)));
        scope.Set("strftime_now", new BuiltinFunction("strftime_now", (renderer, args, _) =>
            TemplateString.Template(PyFormat.Strftime(Py.AsText(args.Bind("strftime_now", "format")[0])?.Text
                ?? throw new TemplateException("strftime_now() needs a format string"), renderer.Clock()))));
    }

    private static List<object?> Range(TemplateRenderer renderer, CallArguments args)
    {
        var numbers = args.Positional.Select(Py.ToLong).ToArray();
        var (start, stop, step) = numbers.Length switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new TemplateException($"range expected 1 to 3 arguments, got {numbers.Length}"),
        };
        if (step == 0)
        {
            throw new TemplateException("range() arg 3 must not be zero");
        }

        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        PyOperators.CheckLength(count);
        renderer.Step(count);
        var result = new List<object?>((int)count);
        for (var i = 0L; i < count; i++)
        {
            result.Add(start + i * step);
        }

        return result;
    }

    private static PyDict Dict(CallArguments args)
    {
        var dict = new PyDict();
        foreach (var source in args.Positional)
        {
            switch (source)
            {
                case PyDict other:
                    foreach (var (key, value) in other)
                    {
                        dict[key] = value;
                    }

                    break;
                case List<object?> pairs:
                    foreach (var pair in pairs)
                    {
                        var kv = Py.Iterate(pair);
                        if (kv.Count != 2)
                        {
                            throw new TemplateException("dictionary update sequence element has the wrong length; 2 is required");
                        }

                        dict[kv[0] ?? throw new TemplateException("None cannot be a dict key here")] = kv[1];
                    }

                    break;
                default:
                    throw new TemplateException($"'{Py.TypeName(source)}' object is not iterable");
            }
        }

        foreach (var (name, value) in args.Named)
        {
            dict[TemplateString.Template(name)] = value;
        }

        return dict;
    }

    private static Namespace Namespace(CallArguments args)
    {
        var ns = new Namespace();
        foreach (var source in args.Positional)
        {
            if (source is not PyDict dict)
            {
                throw new TemplateException($"namespace() takes keyword arguments or a dict, not {Py.TypeName(source)}");
            }

            foreach (var (key, value) in dict)
            {
                ns.Attributes[Py.Str(key).Text] = value;
            }
        }

        foreach (var (name, value) in args.Named)
        {
            ns.Attributes[name] = value;
        }

        return ns;
    }

    private static BuiltinFunction Joiner(CallArguments args)
    {
        var separator = args.Bind("joiner", "sep")[0] is var s && s == CallArguments.Missing ? TemplateString.Template(", ") : Py.Str(s);
        var used = false;
        return new BuiltinFunction("joiner", (_, _, _) =>
        {
            if (!used)
            {
                used = true;
                return TemplateString.Empty;
            }

            return separator;
        });
    }
}
