namespace Nexa.Engine.Templates;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is string</c>, <c>n is divisibleby 3</c>…), with Python's notion of types.</summary>
internal static class BuiltinTests
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string", "mapping",
        "iterable", "sequence", "callable", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan",
        "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "lower", "upper", "sameas", "escaped", "filter", "test",
    };

    public static bool Exists(string name) => Names.Contains(name);

    public static bool Apply(TemplateRenderer renderer, string name, object? value, CallArguments arguments)
    {
        object? Argument()
        {
            if (arguments.Positional.Count > 0)
            {
                return arguments.Positional[0];
            }

            return arguments.Named.Count > 0 ? arguments.Named[0].Value : throw new TemplateException($"the test '{name}' needs an argument");
        }

        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null or NullContent,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "integer" => value is long,
            "float" => value is double,
            "number" => value is long or double or bool,
            "string" => value is TemplateString,
            "mapping" => value is PyDict,
            "iterable" => Py.IsIterable(value),
            "sequence" => value is TemplateString or List<object?> or PyDict or Undefined,
            "callable" => value is ITemplateCallable,
            "odd" => Py.ToLong(value) % 2 != 0,
            "even" => Py.ToLong(value) % 2 == 0,
            "divisibleby" => Py.ToLong(Argument()) is var n && n != 0 ? Py.ToLong(value) % n == 0 : throw new TemplateException("integer division or modulo by zero"),
            "eq" or "equalto" or "==" => Py.Equal(value, Argument()),
            "ne" or "!=" => !Py.Equal(value, Argument()),
            "lt" or "lessthan" or "<" => Py.Compare(value, Argument()) < 0,
            "le" or "<=" => Py.Compare(value, Argument()) <= 0,
            "gt" or "greaterthan" or ">" => Py.Compare(value, Argument()) > 0,
            "ge" or ">=" => Py.Compare(value, Argument()) >= 0,
            "in" => Py.Contains(Argument(), value),
            "lower" => PyCase.IsLower(Py.Str(value).Text),
            "upper" => PyCase.IsUpper(Py.Str(value).Text),
            "sameas" => ReferenceEquals(value, Argument()) || (value is null or bool && Py.Equal(value, Argument()) && Argument() is null or bool),
            "escaped" => false,
            "filter" => value is TemplateString f && BuiltinFilters.Exists(f.Text),
            "test" => value is TemplateString t && Exists(t.Text),
            _ => throw new TemplateException($"no test named '{name}'"),
        };
    }
}
