namespace Nexa.FakeRunner;

/// <summary>
/// Cuts generated text at the first stop string, never letting a stop string, or a piece that may turn into one,
/// out: text that could be the start of a stop string is held back until the next piece decides.
/// </summary>
internal sealed class StopMatcher(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = [.. stops.Where(s => s.Length > 0)];
    private string _held = "";

    public bool Stopped { get; private set; }

    /// <summary>Adds a piece; returns the text that is safe to send and whether a stop string was met.</summary>
    public (string Safe, bool Stopped) Add(string piece)
    {
        var text = _held + piece;
        var at = _stops.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (at >= 0)
        {
            _held = "";
            Stopped = true;
            return (text[..at], true);
        }
        var keep = _stops.Select(s => LongestSuffixThatStarts(text, s)).DefaultIfEmpty(0).Max();
        _held = text[^keep..];
        return (text[..^keep], false);
    }

    /// <summary>The generation ended: what was held back was no stop string after all.</summary>
    public string Flush()
    {
        var rest = _held;
        _held = "";
        return rest;
    }

    private static int LongestSuffixThatStarts(string text, string stop)
    {
        for (var length = Math.Min(text.Length, stop.Length - 1); length > 0; length--)
        {
            if (stop.StartsWith(text[^length..], StringComparison.Ordinal))
                return length;
        }
        return 0;
    }
}
