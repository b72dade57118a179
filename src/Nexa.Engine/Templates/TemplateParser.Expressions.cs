using System.Globalization;

namespace Nexa.Engine.Templates;

// Expressions, with jinja2's precedence from loosest to tightest: inline if, or, and, not, comparisons (in, not in),
// + and -, ~, * / // %, **, unary - and +, then primaries with their postfixes (.attr, [item], call) and filters
// and tests (| and is), which bind tighter than any binary operator.
internal sealed partial class TemplateParser
{
    private Expr Tuple(bool withCondition = true, string[]? endNames = null, bool parenthesized = false)
    {
        var line = Current.Line;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (TupleEnds(endNames))
            {
                break;
            }

            items.Add(withCondition ? Expression() : Or());
            if (Current.IsOperator(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!parenthesized)
            {
                throw Error($"expected an expression, got {Current}");
            }
        }

        return new TupleExpr(items, line);
    }

    private bool TupleEnds(string[]? endNames) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.End
        || Current.IsOperator(")")
        || (endNames is not null && Current.Kind == TokenKind.Name && endNames.Contains(Current.Value));

    private Expr Expression()
    {
        Enter();
        var then = Or();
        while (Current.IsName("if"))
        {
            var line = Next().Line;
            var condition = Or();
            var otherwise = SkipName("else") ? Expression() : null;
            then = new ConditionalExpr(then, condition, otherwise, line);
        }

        Leave();
        return then;
    }

    private Expr Or()
    {
        var left = And();
        while (Current.IsName("or"))
        {
            var line = Next().Line;
            left = new BinaryExpr("or", left, And(), line);
        }

        return left;
    }

    private Expr And()
    {
        var left = Not();
        while (Current.IsName("and"))
        {
            var line = Next().Line;
            left = new BinaryExpr("and", left, Not(), line);
        }

        return left;
    }

    private Expr Not()
    {
        if (Current.IsName("not"))
        {
            var line = Next().Line;
            Enter();
            var operand = Not();
            Leave();
            return new UnaryExpr("not", operand, line);
        }

        return Compare();
    }

    private Expr Compare()
    {
        var line = Current.Line;
        var first = Math1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && Current.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = Next().Value;
                rest.Add((op, Math1()));
            }
            else if (Current.IsName("in"))
            {
                _pos++;
                rest.Add(("in", Math1()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _pos += 2;
                rest.Add(("not in", Math1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(first, rest, line);
    }

    private Expr Math1()
    {
        var left = Concat();
        while (Current.Kind == TokenKind.Operator && Current.Value is "+" or "-")
        {
            var op = Next();
            left = new BinaryExpr(op.Value, left, Concat(), op.Line);
        }

        return left;
    }

    private Expr Concat()
    {
        var left = Math2();
        while (Current.IsOperator("~"))
        {
            var line = Next().Line;
            left = new BinaryExpr("~", left, Math2(), line);
        }

        return left;
    }

    private Expr Math2()
    {
        var left = Pow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Value, left, Pow(), op.Line);
        }

        return left;
    }

    private Expr Pow()
    {
        var left = Unary();
        while (Current.IsOperator("**"))
        {
            var line = Next().Line;
            left = new BinaryExpr("**", left, Unary(), line);
        }

        return left;
    }

    private Expr Unary(bool withFilter = true)
    {
        Enter();
        var token = Current;
        Expr node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            _pos++;
            node = new UnaryExpr(token.Value, Unary(withFilter: false), token.Line);
        }
        else
        {
            node = Primary();
        }

        node = Postfix(node);
        if (withFilter)
        {
            node = FiltersAndTests(node);
        }

        Leave();
        return node;
    }

    private Expr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _pos++;
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Line),
                    "false" or "False" => new LiteralExpr(false, token.Line),
                    "none" or "None" => new LiteralExpr(null, token.Line),
                    _ => new NameExpr(token.Value, token.Line),
                };
            case TokenKind.String:
                var text = token.Value;
                _pos++;
                while (Current.Kind == TokenKind.String)
                {
                    text += Next().Value;
                }

                return new LiteralExpr(TemplateString.Template(text), token.Line);
            case TokenKind.Integer:
                _pos++;
                if (!long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                {
                    throw Error($"integer {token.Value} is too large", token);
                }

                return new LiteralExpr(integer, token.Line);
            case TokenKind.Float:
                _pos++;
                return new LiteralExpr(double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Operator when token.Value == "(":
                _pos++;
                var inner = Tuple(parenthesized: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                _pos++;
                var items = new List<Expr>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (Current.IsOperator("]"))
                        {
                            break;
                        }
                    }

                    items.Add(Expression());
                }

                Expect(TokenKind.Operator, "]");
                return new ListExpr(items, token.Line);
            case TokenKind.Operator when token.Value == "{":
                _pos++;
                var pairs = new List<(Expr, Expr)>();
                while (!Current.IsOperator("}"))
                {
                    if (pairs.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (Current.IsOperator("}"))
                        {
                            break;
                        }
                    }

                    var key = Expression();
                    Expect(TokenKind.Operator, ":");
                    pairs.Add((key, Expression()));
                }

                Expect(TokenKind.Operator, "}");
                return new DictExpr(pairs, token.Line);
            default:
                throw Error($"unexpected {token}");
        }
    }

    private Expr Postfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = Subscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, CallArguments(), Current.Line);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr FiltersAndTests(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = Filter(node);
            }
            else if (Current.IsName("is"))
            {
                node = Test(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, CallArguments(), Current.Line);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr Subscript(Expr node)
    {
        var token = Next();
        if (token.Value == ".")
        {
            var attribute = Next();
            return attribute.Kind switch
            {
                TokenKind.Name => new AttributeExpr(node, attribute.Value, attribute.Line),
                TokenKind.Integer => new ItemExpr(node, new LiteralExpr(long.Parse(attribute.Value, CultureInfo.InvariantCulture), attribute.Line), attribute.Line),
                _ => throw Error($"expected a name or number after '.', got {attribute}", attribute),
            };
        }

        var subscripts = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (subscripts.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            subscripts.Add(Subscribed(node));
        }

        Expect(TokenKind.Operator, "]");
        if (subscripts.Count == 1)
        {
            return subscripts[0] is SliceExpr slice ? slice : new ItemExpr(node, subscripts[0], token.Line);
        }

        return new ItemExpr(node, new TupleExpr(subscripts, token.Line), token.Line);
    }

    private Expr Subscribed(Expr node)
    {
        var line = Current.Line;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = Expression();
            if (!Current.IsOperator(":"))
            {
                return start;
            }
        }

        _pos++;
        Expr? stop = null;
        Expr? step = null;
        if (!Current.IsOperator("]") && !Current.IsOperator(",") && !Current.IsOperator(":"))
        {
            stop = Expression();
        }

        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
        {
            step = Expression();
        }

        return new SliceExpr(node, start, stop, step, line);
    }

    private Arguments CallArguments()
    {
        Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var name = Next().Value;
                _pos++;
                named.Add((name, Expression()));
            }
            else if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                throw Error("*args and **kwargs in calls are not supported");
            }
            else
            {
                if (named.Count > 0)
                {
                    throw Error("invalid syntax for function call expression");
                }

                positional.Add(Expression());
            }
        }

        _pos++;
        return new Arguments(positional, named);
    }

    private FilterExpr Filter(Expr? value, bool leadingBar = true)
    {
        if (leadingBar)
        {
            Expect(TokenKind.Operator, "|");
        }

        var token = Expect(TokenKind.Name);
        var name = token.Value;
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name)
        {
            _pos++;
            name += "." + Next().Value;
        }

        if (!BuiltinFilters.Exists(name))
        {
            throw Error($"no filter named '{name}'", token);
        }

        var arguments = Current.IsOperator("(") ? CallArguments() : Arguments.None;
        return new FilterExpr(value, name, arguments, token.Line);
    }

    private TestExpr Test(Expr value)
    {
        var line = Expect(TokenKind.Name, "is").Line;
        var negated = SkipName("not");
        var token = Expect(TokenKind.Name);
        var name = token.Value;
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name)
        {
            _pos++;
            name += "." + Next().Value;
        }

        if (!BuiltinTests.Exists(name))
        {
            throw Error($"no test named '{name}'", token);
        }

        var arguments = Arguments.None;
        if (Current.IsOperator("("))
        {
            arguments = CallArguments();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                     || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !(Current.IsName("else") || Current.IsName("or") || Current.IsName("and")))
        {
            if (Current.IsName("is"))
            {
                throw Error("you cannot chain multiple tests with is");
            }

            arguments = new Arguments([Postfix(Primary())], []);
        }

        return new TestExpr(value, name, arguments, negated, line);
    }
}
