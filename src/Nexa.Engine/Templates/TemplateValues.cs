namespace Nexa.Engine.Templates;

// The values a template computes with, standing for Python's: None is null, bool, int is long, float is double,
// str is TemplateString, list is List<object?> (PyTuple for tuples), dict is PyDict. The rest are jinja2's own.

/// <summary>
/// jinja2's default Undefined: what a missing variable, attribute or item evaluates to. It prints as nothing, is
/// false, iterates as empty and has length 0; anything else done with it (an attribute, an item, arithmetic, a
/// call) raises, with jinja2's message.
/// </summary>
internal sealed class Undefined(string message)
{
    public static readonly Undefined Plain = new("value is undefined");

    /// <summary>What jinja2 says when the undefined value is used: "'x' is undefined", "'dict object' has no attribute 'y'".</summary>
    public string Message { get; } = message;

    public static Undefined Variable(string name) => new($"'{name}' is undefined");

    public static Undefined Attribute(object? owner, string name) => new($"'{Py.TypeName(owner)} object' has no attribute '{name}'");

    public static Undefined Element(object? owner, object? key) => new($"'{Py.TypeName(owner)} object' has no element {Py.Repr(key)}");
}

/// <summary>
/// The content of a message that has none (an assistant turn that only calls tools; OpenAI sends null). To tests
/// and comparisons it is None (<c>content is none</c> holds), but wherever a template treats it as text (prints,
/// concatenates, searches, splits it) it is the empty string, so templates written for either convention render.
/// </summary>
internal sealed class NullContent
{
    public static readonly NullContent Value = new();

    private NullContent()
    {
    }
}

/// <summary>A Python tuple (prints with parentheses; otherwise a list).</summary>
internal sealed class PyTuple : List<object?>
{
    public PyTuple()
    {
    }

    public PyTuple(IEnumerable<object?> items) : base(items)
    {
    }
}

/// <summary>A Python dict: insertion-ordered, keys compared as Python compares them (1 == 1.0 == True).</summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public object? this[object key]
    {
        get => _items[Key(key)];
        set => _items[Key(key)] = value;
    }

    public bool TryGetValue(object? key, out object? value)
    {
        value = null;
        return key is not null and not Undefined && _items.TryGetValue(Key(key), out value);
    }

    public bool ContainsKey(object? key) => key is not null and not Undefined && _items.ContainsKey(Key(key));

    public bool Remove(object key, out object? value) => _items.Remove(Key(key), out value);

    public void Clear() => _items.Clear();

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private static object Key(object? key) => key switch
    {
        null => throw new TemplateException("None cannot be a dict key here"),
        NullContent => TemplateString.Empty,
        Undefined u => throw new TemplateException(u.Message),
        List<object?> => throw new TemplateException("unhashable type: 'list'"),
        PyDict => throw new TemplateException("unhashable type: 'dict'"),
        _ => key,
    };

    private sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => Py.Equal(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            TemplateString s => s.GetHashCode(),
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}

/// <summary>jinja2's <c>namespace(...)</c>: the one object a template may assign attributes on, across scopes.</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Arguments of a call: positional, then named.</summary>
internal sealed record CallArguments(IReadOnlyList<object?> Positional, IReadOnlyList<(string Name, object? Value)> Named)
{
    public static readonly CallArguments None = new([], []);

    public static CallArguments Of(params object?[] positional) => new(positional, []);

    /// <summary>
    /// Binds the arguments to <paramref name="names"/> as Python does (positional first, then by name); a parameter
    /// not given is <see cref="Missing"/>. Throws for too many arguments or an unknown name.
    /// </summary>
    public object?[] Bind(string function, params string[] names)
    {
        if (Positional.Count > names.Length)
        {
            throw new TemplateException($"{function}() takes at most {names.Length} argument(s) ({Positional.Count} given)");
        }

        var bound = new object?[names.Length];
        Array.Fill(bound, Missing);
        for (var i = 0; i < Positional.Count; i++)
        {
            bound[i] = Positional[i];
        }

        foreach (var (name, value) in Named)
        {
            var index = Array.IndexOf(names, name);
            if (index < 0)
            {
                throw new TemplateException($"{function}() got an unexpected keyword argument '{name}'");
            }

            bound[index] = value;
        }

        return bound;
    }

    /// <summary>Marks a parameter that was not passed (null is Python's None, a real value).</summary>
    public static readonly object Missing = new();
}

/// <summary>Something a template can call: a macro, a global function, a bound method, a loop's cycle.</summary>
internal interface ITemplateCallable
{
    object? Call(TemplateRenderer renderer, CallArguments arguments, int line);
}

/// <summary>A built-in function or bound method implemented in C#.</summary>
internal sealed class BuiltinFunction(string name, Func<TemplateRenderer, CallArguments, int, object?> body) : ITemplateCallable
{
    public string Name { get; } = name;

    public object? Call(TemplateRenderer renderer, CallArguments arguments, int line) => body(renderer, arguments, line);
}

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopState(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;

    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (long)(Index0 + 1),
        "index0" => (long)Index0,
        "revindex" => (long)(Items.Count - Index0),
        "revindex0" => (long)(Items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (long)Items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : Undefined.Variable("there is no previous item"),
        "nextitem" => Index0 + 1 < Items.Count ? Items[Index0 + 1] : Undefined.Variable("there is no next item"),
        "cycle" => new BuiltinFunction("cycle", (_, args, _) =>
            args.Positional.Count == 0 ? throw new TemplateException("no items for cycling given") : args.Positional[Index0 % args.Positional.Count]),
        _ => Undefined.Attribute(this, name),
    };
}
