namespace Nexa.Engine.Grammar;

/// <summary>
/// A GBNF grammar that llama.cpp would refuse (or abort on). <see cref="Reason"/> is llama.cpp's own wording where
/// it has one; <see cref="Line"/> and <see cref="Column"/> (1-based, in characters) say where, when a place is known.
/// </summary>
public sealed class GbnfException(string reason, int line, int column)
    : Exception(line > 0 ? $"invalid grammar: {reason} at {line}:{column}" : $"invalid grammar: {reason}")
{
    public string Reason { get; } = reason;

    /// <summary>1-based line of the fault; 0 when the fault has no single place (e.g. a missing root rule).</summary>
    public int Line { get; } = line;

    public int Column { get; } = column;
}
