using System.Runtime.CompilerServices;

namespace Nexa.Engine.Templates;

/// <summary>How far one rendering may go before it is stopped as a runaway.</summary>
/// <param name="MaxSteps">Statements, expressions and loop iterations evaluated, all together.</param>
/// <param name="MaxOutput">Characters of output, macro and block output included.</param>
/// <param name="MaxCallDepth">Macros calling macros (recursion).</param>
public sealed record TemplateLimits(long MaxSteps = 5_000_000, long MaxOutput = 16 * 1024 * 1024, int MaxCallDepth = 64)
{
    public static TemplateLimits Default { get; } = new();
}

/// <summary>
/// Runs a parsed template once: one renderer per rendering (it counts steps and output against the limits).
/// Scopes follow jinja2: a for loop's body has a fresh scope each iteration, so a <c>set</c> inside a loop is not
/// seen after it (templates use <c>namespace()</c> for that), while <c>if</c> blocks share their scope.
/// </summary>
internal sealed partial class TemplateRenderer
{
    private readonly TemplateLimits _limits;
    private readonly Stack<TemplateStringBuilder> _outputs = new();
    private long _steps;
    private long _outputChars;
    private int _callDepth;

    public TemplateRenderer(TemplateLimits limits, Func<DateTime> clock)
    {
        _limits = limits;
        Clock = clock;
    }

    public Func<DateTime> Clock { get; }

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public TemplateString Render(IReadOnlyList<Node> body, IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new Scope(null);
        BuiltinGlobals.AddTo(globals);
        var root = new Scope(globals);
        foreach (var (name, value) in variables)
        {
            root.Set(name, value);
        }

        return Capture(body, root);
    }

    /// <summary>Counts work; throws once the rendering has done more than the limit allows.</summary>
    public void Step(long count = 1)
    {
        _steps += count;
        if (_steps > _limits.MaxSteps)
        {
            throw new TemplateLimitException($"the template ran more than {_limits.MaxSteps} steps: it loops without end or is far too large", 0);
        }
    }

    private void Write(TemplateString text, int line)
    {
        _outputChars += text.Length;
        if (_outputChars > _limits.MaxOutput)
        {
            throw new TemplateLimitException($"the template wrote more than {_limits.MaxOutput} characters", line);
        }

        _outputs.Peek().Append(text);
    }

    private TemplateString Capture(IReadOnlyList<Node> body, Scope scope)
    {
        _outputs.Push(new TemplateStringBuilder());
        try
        {
            Execute(body, scope);
            return _outputs.Peek().ToTemplateString();
        }
        finally
        {
            _outputs.Pop();
        }
    }

    private Flow Execute(IReadOnlyList<Node> nodes, Scope scope)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new TemplateLimitException("the template nests too deeply", nodes.Count > 0 ? nodes[0].Line : 0);
        }

        foreach (var node in nodes)
        {
            var flow = Execute(node, scope);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(Node node, Scope scope)
    {
        Step();
        try
        {
            switch (node)
            {
                case TextNode text:
                    Write(TemplateString.Template(text.Text), text.Line);
                    return Flow.Normal;
                case PrintNode print:
                    Write(Py.Str(Evaluate(print.Value, scope)), print.Line);
                    return Flow.Normal;
                case IfNode branch:
                    foreach (var (condition, body) in branch.Branches)
                    {
                        if (Py.Truthy(Evaluate(condition, scope)))
                        {
                            return Execute(body, scope);
                        }
                    }

                    return Execute(branch.Else, scope);
                case ForNode loop:
                    return For(loop, scope);
                case SetNode set:
                    Assign(set.Target, Evaluate(set.Value, scope), scope);
                    return Flow.Normal;
                case SetBlockNode block:
                    Assign(block.Target, ApplyFilters(block.Filters, Capture(block.Body, new Scope(scope)), scope), scope);
                    return Flow.Normal;
                case MacroNode macro:
                    scope.Set(macro.Name, new Macro(macro.Name, macro.Parameters, macro.Body, scope));
                    return Flow.Normal;
                case CallBlockNode call:
                    var caller = new Macro("caller", call.Parameters, call.Body, scope);
                    var function = Evaluate(call.Call.Function, scope);
                    var arguments = EvaluateArguments(call.Call.Arguments, scope);
                    arguments = arguments with { Named = [.. arguments.Named, ("caller", caller)] };
                    Write(Py.Str(Invoke(function, arguments, call.Line)), call.Line);
                    return Flow.Normal;
                case FilterBlockNode filter:
                    Write(Py.Str(ApplyFilters(filter.Filters, Capture(filter.Body, new Scope(scope)), scope)), filter.Line);
                    return Flow.Normal;
                case BreakNode:
                    return Flow.Break;
                case ContinueNode:
                    return Flow.Continue;
                default:
                    throw new TemplateException($"cannot run {node.GetType().Name}", node.Line);
            }
        }
        catch (TemplateException e) when (e.Line == 0)
        {
            throw Relocate(e, node.Line);
        }
    }

    /// <summary>The same failure, now pointing at the template line where it happened.</summary>
    private static TemplateException Relocate(TemplateException e, int line) => e switch
    {
        TemplateRaisedException raised => new TemplateRaisedException(raised.TemplateMessage, line),
        TemplateLimitException => new TemplateLimitException(e.Message, line),
        TemplateSyntaxException => new TemplateSyntaxException(e.Message, line),
        _ => new TemplateException(e.Message, line, e.InnerException),
    };

    private Flow For(ForNode loop, Scope scope)
    {
        var items = new List<object?>(Py.Iterate(Evaluate(loop.Iterable, scope)));
        if (loop.Filter is not null)
        {
            items = items.Where(item =>
            {
                Step();
                var probe = new Scope(scope);
                Assign(loop.Target, item, probe);
                return Py.Truthy(Evaluate(loop.Filter, probe));
            }).ToList();
        }

        if (items.Count == 0)
        {
            return Execute(loop.Else, scope);
        }

        var state = new LoopState(items);
        for (var i = 0; i < items.Count; i++)
        {
            Step();
            var iteration = new Scope(scope);
            Assign(loop.Target, items[i], iteration);
            state.Index0 = i;
            iteration.Set("loop", state);
            if (Execute(loop.Body, iteration) == Flow.Break)
            {
                break;
            }
        }

        return Flow.Normal;
    }

    private void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case AttributeTarget attribute:
                if (scope.Lookup(attribute.Object) is not Namespace ns)
                {
                    throw new TemplateException("cannot assign attribute on non-namespace object", attribute.Line);
                }

                ns.Attributes[attribute.Attribute] = value;
                break;
            case TupleTarget tuple:
                var items = Py.Iterate(value);
                if (items.Count != tuple.Items.Count)
                {
                    throw new TemplateException(items.Count > tuple.Items.Count
                        ? $"too many values to unpack (expected {tuple.Items.Count})"
                        : $"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})", tuple.Line);
                }

                for (var i = 0; i < items.Count; i++)
                {
                    Assign(tuple.Items[i], items[i], scope);
                }

                break;
        }
    }

    private object? ApplyFilters(IReadOnlyList<FilterExpr> filters, object? value, Scope scope)
    {
        foreach (var filter in filters)
        {
            value = BuiltinFilters.Apply(this, filter.Name, value, EvaluateArguments(filter.Arguments, scope), filter.Line);
        }

        return value;
    }

    /// <summary>Calls a macro: a fresh scope over the one it was defined in, its parameters bound, its output returned.</summary>
    internal TemplateString CallMacro(Macro macro, CallArguments arguments, int line)
    {
        if (++_callDepth > _limits.MaxCallDepth)
        {
            _callDepth--;
            throw new TemplateLimitException($"macros called each other more than {_limits.MaxCallDepth} deep: the template recurses without end", line);
        }

        try
        {
            var scope = new Scope(macro.Scope);
            var extra = new List<object?>();
            for (var i = 0; i < arguments.Positional.Count; i++)
            {
                if (i < macro.Parameters.Count)
                {
                    scope.Set(macro.Parameters[i].Name, arguments.Positional[i]);
                }
                else
                {
                    extra.Add(arguments.Positional[i]);
                }
            }

            var kwargs = new PyDict();
            foreach (var (name, value) in arguments.Named)
            {
                if (name == "caller" || macro.Parameters.Any(p => p.Name == name))
                {
                    scope.Set(name, value);
                }
                else
                {
                    kwargs[TemplateString.Template(name)] = value;
                }
            }

            for (var i = 0; i < macro.Parameters.Count; i++)
            {
                var parameter = macro.Parameters[i];
                if (!scope.HasOwn(parameter.Name))
                {
                    scope.Set(parameter.Name, parameter.Default is null ? Undefined.Variable(parameter.Name) : Evaluate(parameter.Default, scope));
                }
            }

            scope.Set("varargs", extra);
            scope.Set("kwargs", kwargs);
            return Capture(macro.Body, scope);
        }
        finally
        {
            _callDepth--;
        }
    }

    internal object? Invoke(object? function, CallArguments arguments, int line) => function switch
    {
        ITemplateCallable callable => callable.Call(this, arguments, line),
        Undefined u => throw new TemplateException(u.Message, line),
        _ => throw new TemplateException($"'{Py.TypeName(function)}' object is not callable", line),
    };

    /// <summary>A macro (or a call block's body, as <c>caller</c>) with the scope it was defined in.</summary>
    internal sealed record Macro(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, Scope Scope) : ITemplateCallable
    {
        public object? Call(TemplateRenderer renderer, CallArguments arguments, int line) => renderer.CallMacro(this, arguments, line);
    }
}

/// <summary>Variables visible at one point of a template; lookups walk out to the globals.</summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return Undefined.Variable(name);
    }

    public Scope? Parent { get; } = parent;

    public bool HasOwn(string name) => _variables.ContainsKey(name);

    public void Set(string name, object? value) => _variables[name] = value;
}
