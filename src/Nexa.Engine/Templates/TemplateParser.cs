namespace Nexa.Engine.Templates;

/// <summary>
/// Turns tokens into statements, as jinja2's parser does for the tags chat templates use: if/elif/else, for (with
/// a filter, else, tuple targets), set (and set blocks), macro, call, filter blocks, break/continue (loopcontrols)
/// and transformers' generation block. Unknown filters and tests are errors here, as in jinja2's compiler.
/// </summary>
internal sealed partial class TemplateParser
{
    // Deeper nesting than this is surely not a chat template, and recursion that deep could exhaust the stack.
    private const int MaxNesting = 200;

    private readonly List<Token> _tokens;
    private int _pos;
    private int _nesting;

    private TemplateParser(List<Token> tokens)
    {
        _tokens = tokens;
    }

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source));
        var body = parser.Statements([]);
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Error($"unexpected '{parser.Current.Value}' tag");
        }

        return body;
    }

    private Token Current => _tokens[_pos];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_pos++];

    private TemplateSyntaxException Error(string message, Token? at = null) => new(message, (at ?? Current).Line);

    private Token Expect(TokenKind kind, string? value = null)
    {
        var token = Current;
        if (token.Kind != kind || (value is not null && token.Value != value))
        {
            var wanted = value is not null ? $"'{value}'" : kind switch
            {
                TokenKind.BlockEnd => "end of statement block",
                TokenKind.VariableEnd => "end of print statement",
                TokenKind.Name => "a name",
                _ => kind.ToString(),
            };
            throw Error($"expected {wanted}, got {token}");
        }

        _pos++;
        return token;
    }

    private bool SkipOperator(string op)
    {
        if (Current.IsOperator(op))
        {
            _pos++;
            return true;
        }

        return false;
    }

    private bool SkipName(string name)
    {
        if (Current.IsName(name))
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("the template nests too deeply");
        }
    }

    private void Leave() => _nesting--;

    /// <summary>Parses statements until one of <paramref name="ends"/> opens a block; stops on that tag's name.</summary>
    private List<Node> Statements(string[] ends)
    {
        Enter();
        var body = new List<Node>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    _pos++;
                    body.Add(new TextNode(token.Value, token.Line));
                    break;
                case TokenKind.VariableBegin:
                    _pos++;
                    body.Add(new PrintNode(Tuple(), token.Line));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    var name = Peek();
                    if (name.Kind == TokenKind.Name && ends.Contains(name.Value))
                    {
                        _pos++;
                        Leave();
                        return body;
                    }

                    _pos++;
                    Statement(body);
                    break;
                case TokenKind.End:
                    if (ends.Length > 0)
                    {
                        throw Error($"unexpected end of template; jinja was looking for '{string.Join("' or '", ends)}'");
                    }

                    Leave();
                    return body;
                default:
                    throw Error($"unexpected {token}");
            }
        }
    }

    private void Statement(List<Node> body)
    {
        var tag = Expect(TokenKind.Name);
        switch (tag.Value)
        {
            case "if":
                body.Add(If(tag.Line));
                break;
            case "for":
                body.Add(For(tag.Line));
                break;
            case "set":
                body.Add(Set(tag.Line));
                break;
            case "macro":
                body.Add(Macro(tag.Line));
                break;
            case "call":
                body.Add(CallBlock(tag.Line));
                break;
            case "filter":
                body.Add(FilterBlock(tag.Line));
                break;
            case "break":
                Expect(TokenKind.BlockEnd);
                body.Add(new BreakNode(tag.Line));
                break;
            case "continue":
                Expect(TokenKind.BlockEnd);
                body.Add(new ContinueNode(tag.Line));
                break;
            case "generation":
                // transformers' AssistantTracker marks the assistant's tokens; the text is the body as it stands.
                Expect(TokenKind.BlockEnd);
                body.AddRange(Statements(["endgeneration"]));
                EndTag("endgeneration");
                break;
            default:
                throw Error($"encountered unknown tag '{tag.Value}'", tag);
        }
    }

    private void EndTag(string name)
    {
        Expect(TokenKind.Name, name);
        Expect(TokenKind.BlockEnd);
    }

    private IfNode If(int line)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        var condition = Tuple(withCondition: false);
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = Statements(["elif", "else", "endif"]);
            branches.Add((condition, body));
            var tag = Next();
            if (tag.Value == "elif")
            {
                condition = Tuple(withCondition: false);
                continue;
            }

            IReadOnlyList<Node> otherwise = [];
            if (tag.Value == "else")
            {
                Expect(TokenKind.BlockEnd);
                otherwise = Statements(["endif"]);
                Next();
            }

            Expect(TokenKind.BlockEnd);
            return new IfNode(branches, otherwise, line);
        }
    }

    private ForNode For(int line)
    {
        var target = AssignTarget(allowAttribute: false, endNames: ["in"]);
        Expect(TokenKind.Name, "in");
        var iterable = Tuple(withCondition: false, endNames: ["recursive", "if"]);
        Expr? filter = null;
        if (SkipName("if"))
        {
            filter = Expression();
        }

        if (Current.IsName("recursive"))
        {
            throw Error("recursive loops are not supported");
        }

        Expect(TokenKind.BlockEnd);
        var body = Statements(["endfor", "else"]);
        IReadOnlyList<Node> otherwise = [];
        if (Next().Value == "else")
        {
            Expect(TokenKind.BlockEnd);
            otherwise = Statements(["endfor"]);
            Next();
        }

        Expect(TokenKind.BlockEnd);
        return new ForNode(target, iterable, filter, body, otherwise, line);
    }

    private Node Set(int line)
    {
        var target = AssignTarget(allowAttribute: true, endNames: []);
        if (SkipOperator("="))
        {
            var value = Tuple();
            Expect(TokenKind.BlockEnd);
            return new SetNode(target, value, line);
        }

        var filters = new List<FilterExpr>();
        while (Current.IsOperator("|"))
        {
            filters.Add(Filter(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = Statements(["endset"]);
        EndTag("endset");
        return new SetBlockNode(target, filters, body, line);
    }

    private MacroNode Macro(int line)
    {
        var name = Expect(TokenKind.Name).Value;
        var parameters = Signature();
        Expect(TokenKind.BlockEnd);
        var body = Statements(["endmacro"]);
        EndTag("endmacro");
        return new MacroNode(name, parameters, body, line);
    }

    private List<MacroParameter> Signature()
    {
        var parameters = new List<MacroParameter>();
        Expect(TokenKind.Operator, "(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            var name = Expect(TokenKind.Name).Value;
            parameters.Add(new MacroParameter(name, SkipOperator("=") ? Expression() : null));
        }

        _pos++;
        return parameters;
    }

    private CallBlockNode CallBlock(int line)
    {
        var parameters = Current.IsOperator("(") ? Signature() : [];
        if (Expression() is not CallExpr call)
        {
            throw Error("expected a call", _tokens[_pos - 1]);
        }

        Expect(TokenKind.BlockEnd);
        var body = Statements(["endcall"]);
        EndTag("endcall");
        return new CallBlockNode(call, parameters, body, line);
    }

    private FilterBlockNode FilterBlock(int line)
    {
        var filters = new List<FilterExpr> { Filter(null, leadingBar: false) };
        while (Current.IsOperator("|"))
        {
            filters.Add(Filter(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = Statements(["endfilter"]);
        EndTag("endfilter");
        return new FilterBlockNode(filters, body, line);
    }

    private Target AssignTarget(bool allowAttribute, string[] endNames)
    {
        var line = Current.Line;
        var items = new List<Target>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!SkipOperator(","))
                {
                    break;
                }

                isTuple = true;
                if (Current.Kind != TokenKind.Name || endNames.Contains(Current.Value))
                {
                    break;
                }
            }

            if (SkipOperator("("))
            {
                items.Add(AssignTarget(allowAttribute: false, endNames: []));
                Expect(TokenKind.Operator, ")");
                continue;
            }

            var name = Expect(TokenKind.Name);
            if (allowAttribute && Current.IsOperator("."))
            {
                _pos++;
                items.Add(new AttributeTarget(name.Value, Expect(TokenKind.Name).Value, name.Line));
                return items[0];
            }

            items.Add(new NameTarget(name.Value, name.Line));
        }

        return isTuple || items.Count != 1 ? new TupleTarget(items, line) : items[0];
    }
}
