namespace Nexa.Engine.Templates;

internal sealed partial class TemplateRenderer
{
    internal object? Evaluate(Expr expr, Scope scope)
    {
        Step();
        switch (expr)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return scope.Lookup(name.Name);
            case ListExpr list:
                return new List<object?>(list.Items.Select(i => Evaluate(i, scope)));
            case TupleExpr tuple:
                return new PyTuple(tuple.Items.Select(i => Evaluate(i, scope)));
            case DictExpr dict:
                var result = new PyDict();
                foreach (var (key, value) in dict.Items)
                {
                    result[Evaluate(key, scope) ?? throw new TemplateException("None cannot be a dict key here", dict.Line)] = Evaluate(value, scope);
                }

                return result;
            case AttributeExpr attribute:
                return GetAttribute(Evaluate(attribute.Object, scope), attribute.Name);
            case ItemExpr item:
                return GetItem(Evaluate(item.Object, scope), Evaluate(item.Key, scope));
            case SliceExpr slice:
                return Slice(Evaluate(slice.Object, scope), Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope));
            case CallExpr call:
                return Invoke(Evaluate(call.Function, scope), EvaluateArguments(call.Arguments, scope), call.Line);
            case FilterExpr filter:
                return BuiltinFilters.Apply(this, filter.Name, filter.Value is null ? null : Evaluate(filter.Value, scope),
                    EvaluateArguments(filter.Arguments, scope), filter.Line);
            case TestExpr test:
                return BuiltinTests.Apply(this, test.Name, Evaluate(test.Value, scope), EvaluateArguments(test.Arguments, scope)) != test.Negated;
            case UnaryExpr unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !Py.Truthy(operand),
                    "-" => PyOperators.Negate(operand),
                    _ => Py.IsNumber(operand) ? operand : throw new TemplateException($"bad operand type for unary +: '{Py.TypeName(operand)}'", unary.Line),
                };
            case BinaryExpr binary:
                return Binary(binary, scope);
            case CompareExpr compare:
                var left = Evaluate(compare.First, scope);
                foreach (var (op, operandExpr) in compare.Rest)
                {
                    var right = Evaluate(operandExpr, scope);
                    if (!Compare(op, left, right))
                    {
                        return false;
                    }

                    left = right;
                }

                return true;
            case ConditionalExpr conditional:
                if (Py.Truthy(Evaluate(conditional.Condition, scope)))
                {
                    return Evaluate(conditional.Then, scope);
                }

                return conditional.Else is null ? Undefined.Variable("the inline if's condition was false and it has no else") : Evaluate(conditional.Else, scope);
            default:
                throw new TemplateException($"cannot evaluate {expr.GetType().Name}", expr.Line);
        }
    }

    private object? Optional(Expr? expr, Scope scope) => expr is null ? null : Evaluate(expr, scope);

    private object? Binary(BinaryExpr binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and":
                return Py.Truthy(left) ? Evaluate(binary.Right, scope) : left;
            case "or":
                return Py.Truthy(left) ? left : Evaluate(binary.Right, scope);
        }

        var right = Evaluate(binary.Right, scope);
        if (binary.Operator == "~")
        {
            var a = Py.Str(left);
            var b = Py.Str(right);
            PyOperators.CheckLength((long)a.Length + b.Length);
            return TemplateString.Concat(a, b);
        }

        return PyOperators.Binary(binary.Operator, left, right);
    }

    private static bool Compare(string op, object? left, object? right) => op switch
    {
        "==" => Py.Equal(left, right),
        "!=" => !Py.Equal(left, right),
        "<" => Py.Compare(left, right, op) < 0,
        ">" => Py.Compare(left, right, op) > 0,
        "<=" => Py.Compare(left, right, op) <= 0,
        ">=" => Py.Compare(left, right, op) >= 0,
        "in" => Py.Contains(right, left),
        "not in" => !Py.Contains(right, left),
        _ => throw new TemplateException($"unknown comparison '{op}'"),
    };

    internal CallArguments EvaluateArguments(Arguments arguments, Scope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0)
        {
            return CallArguments.None;
        }

        return new CallArguments(
            [.. arguments.Positional.Select(a => Evaluate(a, scope))],
            [.. arguments.Named.Select(n => (n.Name, Evaluate(n.Value, scope)))]);
    }

    /// <summary><c>value.name</c> as jinja2's sandbox does it: a method or attribute first, then a dict key; else undefined.</summary>
    internal static object? GetAttribute(object? value, string name)
    {
        if (value is Undefined undefined)
        {
            throw new TemplateException(undefined.Message);
        }

        if (name.StartsWith('_'))
        {
            return Undefined.Attribute(value, name);
        }

        return value switch
        {
            PyDict dict => (object?)PyMethods.Find(dict, name) ?? (dict.TryGetValue(TemplateString.Template(name), out var item) ? item : Undefined.Attribute(dict, name)),
            Namespace ns => ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(ns, name),
            LoopState loop => loop.Attribute(name),
            _ => PyMethods.Find(value, name) ?? (object)Undefined.Attribute(value, name),
        };
    }

    /// <summary><c>value[key]</c>: a dict key, a list or string index (negative from the end); else the attribute; else undefined.</summary>
    internal static object? GetItem(object? value, object? key)
    {
        if (value is Undefined undefined)
        {
            throw new TemplateException(undefined.Message);
        }

        switch (value)
        {
            case PyDict dict when dict.TryGetValue(key, out var item):
                return item;
            case List<object?> list when key is long or bool:
                var index = Py.ToLong(key);
                index = index < 0 ? index + list.Count : index;
                return index >= 0 && index < list.Count ? list[(int)index] : Undefined.Element(value, key);
            case TemplateString s when key is long or bool:
                var at = Py.ToLong(key);
                at = at < 0 ? at + s.Length : at;
                return at >= 0 && at < s.Length ? s.Slice((int)at, 1) : Undefined.Element(value, key);
        }

        return key is TemplateString name ? GetAttribute(value, name.Text) : Undefined.Element(value, key);
    }

    /// <summary>Python's <c>value[start:stop:step]</c> on a list or a string.</summary>
    internal static object Slice(object? value, object? start, object? stop, object? step)
    {
        if (value is Undefined undefined)
        {
            throw new TemplateException(undefined.Message);
        }

        var length = value switch
        {
            List<object?> list => list.Count,
            TemplateString s => s.Length,
            NullContent => 0,
            _ => throw new TemplateException($"'{Py.TypeName(value)}' object is not subscriptable"),
        };
        var indices = SliceIndices(length, start, stop, step);
        if (value is List<object?> items)
        {
            var result = indices.Select(i => items[i]);
            return value is PyTuple ? new PyTuple(result) : new List<object?>(result);
        }

        var text = Py.AsText(value)!;
        if (step is null or long and 1)
        {
            return indices.Count == 0 ? TemplateString.Empty : text.Slice(indices[0], indices.Count);
        }

        var builder = new TemplateStringBuilder();
        foreach (var i in indices)
        {
            builder.Append(text.Slice(i, 1));
        }

        return builder.ToTemplateString();
    }

    private static List<int> SliceIndices(int length, object? start, object? stop, object? step)
    {
        var by = step is null ? 1 : Py.ToLong(step);
        if (by == 0)
        {
            throw new TemplateException("slice step cannot be zero");
        }

        long Clamp(object? bound, long whenNone)
        {
            if (bound is null)
            {
                return whenNone;
            }

            var b = Py.ToLong(bound);
            if (b < 0)
            {
                b += length;
            }

            return by > 0 ? Math.Clamp(b, 0, length) : Math.Clamp(b, -1, length - 1);
        }

        var from = Clamp(start, by > 0 ? 0 : length - 1);
        var to = Clamp(stop, by > 0 ? length : -1);
        var indices = new List<int>();
        for (var i = from; by > 0 ? i < to : i > to; i += by)
        {
            indices.Add((int)i);
        }

        return indices;
    }
}
