using System.Collections.Concurrent;
using System.Text;

namespace Nexa.Tests.Fuzz;

/// <summary>What a fuzz run saw: answers per route and status, the slowest answer per route, and every failure.</summary>
public sealed class FuzzReport
{
    private readonly ConcurrentDictionary<(string Route, string Status), int> _counts = new();
    private readonly ConcurrentDictionary<string, double> _slowest = new();
    private readonly ConcurrentQueue<string> _failures = new();

    public IReadOnlyList<string> Failures => [.. _failures];

    public int Total => _counts.Values.Sum();

    public void Add(FuzzCase fuzz, string status, TimeSpan took)
    {
        _counts.AddOrUpdate((fuzz.Route, status), 1, (_, n) => n + 1);
        _slowest.AddOrUpdate(fuzz.Route, took.TotalSeconds, (_, s) => Math.Max(s, took.TotalSeconds));
    }

    public void Fail(FuzzCase fuzz, string what)
    {
        var body = Encoding.UTF8.GetString(fuzz.Body.AsSpan(0, Math.Min(fuzz.Body.Length, 300)));
        _failures.Enqueue($"{fuzz.Route} {fuzz.Method} {fuzz.Path}: {what} — body: {body}");
    }

    /// <summary>One line per route: its answers by status, and its slowest.</summary>
    public override string ToString()
    {
        var lines = _counts.GroupBy(c => c.Key.Route).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            $"{g.Key,-12} {g.Sum(c => c.Value),5}: " +
            string.Join(", ", g.OrderBy(c => c.Key.Status, StringComparer.Ordinal).Select(c => $"{c.Key.Status}×{c.Value}")) +
            $" (slowest {_slowest[g.Key]:0.00} s)");
        return string.Join('\n', lines);
    }
}
