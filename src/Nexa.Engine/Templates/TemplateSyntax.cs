namespace Nexa.Engine.Templates;

// The parsed template: statements and expressions as jinja2's parser builds them. Each node keeps its line for
// error messages.

internal abstract record Node(int Line);

internal sealed record TextNode(string Text, int Line) : Node(Line);

internal sealed record PrintNode(Expr Value, int Line) : Node(Line);

internal sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else, int Line) : Node(Line);

internal sealed record ForNode(Target Target, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else, int Line) : Node(Line);

internal sealed record SetNode(Target Target, Expr Value, int Line) : Node(Line);

internal sealed record SetBlockNode(Target Target, IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Node> Body, int Line) : Node(Line);

internal sealed record MacroParameter(string Name, Expr? Default);

internal sealed record MacroNode(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, int Line) : Node(Line);

internal sealed record CallBlockNode(CallExpr Call, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Node> Body, int Line) : Node(Line);

internal sealed record FilterBlockNode(IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Node> Body, int Line) : Node(Line);

internal sealed record BreakNode(int Line) : Node(Line);

internal sealed record ContinueNode(int Line) : Node(Line);

/// <summary>Where a <c>set</c> or a <c>for</c> puts values: a name, a namespace attribute, or a tuple of targets.</summary>
internal abstract record Target(int Line);

internal sealed record NameTarget(string Name, int Line) : Target(Line);

internal sealed record AttributeTarget(string Object, string Attribute, int Line) : Target(Line);

internal sealed record TupleTarget(IReadOnlyList<Target> Items, int Line) : Target(Line);

internal abstract record Expr(int Line);

internal sealed record LiteralExpr(object? Value, int Line) : Expr(Line);

internal sealed record NameExpr(string Name, int Line) : Expr(Line);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items, int Line) : Expr(Line);

internal sealed record AttributeExpr(Expr Object, string Name, int Line) : Expr(Line);

internal sealed record ItemExpr(Expr Object, Expr Key, int Line) : Expr(Line);

internal sealed record SliceExpr(Expr Object, Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);

internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Named)
{
    public static readonly Arguments None = new([], []);
}

internal sealed record CallExpr(Expr Function, Arguments Arguments, int Line) : Expr(Line);

/// <summary><c>value | name(args)</c>; <see cref="Value"/> is null inside a filter block or a set block's filters.</summary>
internal sealed record FilterExpr(Expr? Value, string Name, Arguments Arguments, int Line) : Expr(Line);

internal sealed record TestExpr(Expr Value, string Name, Arguments Arguments, bool Negated, int Line) : Expr(Line);

internal sealed record UnaryExpr(string Operator, Expr Operand, int Line) : Expr(Line);

internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Line) : Expr(Line);

internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Operator, Expr Operand)> Rest, int Line) : Expr(Line);

/// <summary><c>Then if Condition else Else</c>; without an else the result is undefined when the condition fails.</summary>
internal sealed record ConditionalExpr(Expr Then, Expr Condition, Expr? Else, int Line) : Expr(Line);
