namespace Nexa.Engine.Tools;

/// <summary>Finding markup strings in streamed text, where the text may stop in the middle of one.</summary>
internal static class Markup
{
    /// <summary>Where the earliest of <paramref name="markers"/> starts in <paramref name="text"/> (-1 if none), and which it is.</summary>
    public static int FindEarliest(string text, IReadOnlyList<string> markers, out string marker)
    {
        var earliest = -1;
        marker = "";
        foreach (var candidate in markers)
        {
            var at = text.IndexOf(candidate, StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest || (at == earliest && candidate.Length > marker.Length)))
            {
                earliest = at;
                marker = candidate;
            }
        }

        return earliest;
    }

    /// <summary>The length of the longest tail of <paramref name="text"/> that is a proper beginning of one of <paramref name="markers"/>.</summary>
    public static int HeldTail(string text, IReadOnlyList<string> markers)
    {
        var longest = 0;
        foreach (var marker in markers)
        {
            for (var length = Math.Min(text.Length, marker.Length - 1); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(marker.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }

    /// <summary>Whether <paramref name="text"/> starts with <paramref name="literal"/>, or is a proper beginning of it (so far).</summary>
    public static Match StartsWith(string text, string literal)
    {
        if (text.StartsWith(literal, StringComparison.Ordinal))
        {
            return Match.Full;
        }

        return text.Length < literal.Length && literal.StartsWith(text, StringComparison.Ordinal) ? Match.Partial : Match.None;
    }

    /// <summary>The first of <paramref name="literals"/> that <paramref name="text"/> starts with, or whether one may still come.</summary>
    public static Match StartsWithAny(string text, IReadOnlyList<string> literals, out string literal)
    {
        var partial = false;
        literal = "";
        foreach (var candidate in literals)
        {
            switch (StartsWith(text, candidate))
            {
                case Match.Full:
                    literal = candidate;
                    return Match.Full;
                case Match.Partial:
                    partial = true;
                    break;
            }
        }

        return partial ? Match.Partial : Match.None;
    }

    public enum Match
    {
        None,

        /// <summary>The text ends before the literal does, and what there is agrees with it.</summary>
        Partial,
        Full,
    }
}
