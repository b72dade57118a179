namespace Nexa.Engine.Templates;

/// <summary>Python's arithmetic and concatenation: int stays int (checked), / is true division, // and % floor.</summary>
internal static class PyOperators
{
    /// <summary>Longest string or list an operator may build: beyond this a template is running away.</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    public static object? Binary(string op, object? a, object? b)
    {
        if (a is Undefined ua)
        {
            throw new TemplateException(ua.Message);
        }

        if (b is Undefined ub)
        {
            throw new TemplateException(ub.Message);
        }

        try
        {
            return op switch
            {
                "+" => Add(a, b),
                "-" => Arithmetic(op, a, b, (x, y) => checked(x - y), (x, y) => x - y),
                "*" => Multiply(a, b),
                "/" => Divide(a, b),
                "//" => FloorDivide(a, b),
                "%" => a is TemplateString format ? PyFormat.Percent(format, b) : Modulo(a, b),
                "**" => Power(a, b),
                _ => throw new TemplateException($"unknown operator '{op}'"),
            };
        }
        catch (OverflowException)
        {
            throw new TemplateException($"integer overflow in '{op}'");
        }
    }

    public static object? Negate(object? value) => value switch
    {
        bool b => b ? -1L : 0L,
        long l => (object)checked(-l),
        double d => -d,
        Undefined u => throw new TemplateException(u.Message),
        _ => throw new TemplateException($"bad operand type for unary -: '{Py.TypeName(value)}'"),
    };

    private static object? Add(object? a, object? b)
    {
        if ((a is TemplateString or NullContent) && (b is TemplateString or NullContent) && (a is TemplateString || b is TemplateString))
        {
            var left = Py.AsText(a)!;
            var right = Py.AsText(b)!;
            CheckLength((long)left.Length + right.Length);
            return TemplateString.Concat(left, right);
        }

        if (a is List<object?> x && b is List<object?> y)
        {
            CheckLength((long)x.Count + y.Count);
            return a is PyTuple && b is PyTuple ? new PyTuple(x.Concat(y)) : new List<object?>(x.Concat(y));
        }

        if (a is TemplateString or List<object?>)
        {
            // Python's own words for a str or list on the left (a None content in a concatenation, mostly).
            var type = Py.TypeName(a);
            throw new TemplateException($"can only concatenate {type} (not \"{Py.TypeName(b)}\") to {type}");
        }

        return Arithmetic("+", a, b, (p, q) => checked(p + q), (p, q) => p + q);
    }

    private static object? Multiply(object? a, object? b)
    {
        if (a is TemplateString or List<object?> && b is long or bool)
        {
            return Repeat(a, Py.ToLong(b));
        }

        if (b is TemplateString or List<object?> && a is long or bool)
        {
            return Repeat(b, Py.ToLong(a));
        }

        return Arithmetic("*", a, b, (x, y) => checked(x * y), (x, y) => x * y);
    }

    private static object Repeat(object sequence, long times)
    {
        times = Math.Max(0, times);
        if (sequence is TemplateString s)
        {
            CheckLength(s.Length * times);
            var builder = new TemplateStringBuilder();
            for (var i = 0; i < times; i++)
            {
                builder.Append(s);
            }

            return builder.ToTemplateString();
        }

        var list = (List<object?>)sequence;
        CheckLength(list.Count * times);
        var result = new List<object?>();
        for (var i = 0; i < times; i++)
        {
            result.AddRange(list);
        }

        return sequence is PyTuple ? new PyTuple(result) : result;
    }

    private static object Divide(object? a, object? b)
    {
        var (left, right) = Number("/", a, b);
        var divisor = Py.ToDouble(right);
        return divisor == 0 ? throw new TemplateException("division by zero") : Py.ToDouble(left) / divisor;
    }

    private static object FloorDivide(object? a, object? b)
    {
        var (left, right) = Number("//", a, b);
        if (left is double || right is double)
        {
            var divisor = Py.ToDouble(right);
            return divisor == 0 ? throw new TemplateException("float floor division by zero") : Math.Floor(Py.ToDouble(left) / divisor);
        }

        var x = Py.ToLong(left);
        var y = Py.ToLong(right);
        if (y == 0)
        {
            throw new TemplateException("integer division or modulo by zero");
        }

        var q = x / y;
        return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static object Modulo(object? a, object? b)
    {
        var (left, right) = Number("%", a, b);
        if (left is double || right is double)
        {
            var y = Py.ToDouble(right);
            if (y == 0)
            {
                throw new TemplateException("float modulo");
            }

            var r = Py.ToDouble(left) % y;
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }

        var m = Py.ToLong(right);
        if (m == 0)
        {
            throw new TemplateException("integer division or modulo by zero");
        }

        var rem = Py.ToLong(left) % m;
        return rem != 0 && (rem < 0) != (m < 0) ? rem + m : rem;
    }

    private static object Power(object? a, object? b)
    {
        var (left, right) = Number("**", a, b);
        if (left is double || right is double || Py.ToLong(right) < 0)
        {
            return Math.Pow(Py.ToDouble(left), Py.ToDouble(right));
        }

        var result = 1L;
        var x = Py.ToLong(left);
        for (var e = Py.ToLong(right); e > 0; e--)
        {
            result = checked(result * x);
        }

        return result;
    }

    private static object Arithmetic(string op, object? a, object? b, Func<long, long, long> integer, Func<double, double, double> real)
    {
        var (left, right) = Number(op, a, b);
        return left is double || right is double ? real(Py.ToDouble(left), Py.ToDouble(right)) : (object)integer(Py.ToLong(left), Py.ToLong(right));
    }

    private static (object Left, object Right) Number(string op, object? a, object? b)
    {
        if (!Py.IsNumber(a) || !Py.IsNumber(b))
        {
            throw new TemplateException($"unsupported operand type(s) for {op}: '{Py.TypeName(a)}' and '{Py.TypeName(b)}'");
        }

        return (a!, b!);
    }

    public static void CheckLength(long length)
    {
        if (length > MaxLength)
        {
            throw new TemplateLimitException($"the template built a value of {length} items, more than the limit of {MaxLength}", 0);
        }
    }
}
