using System.Text.RegularExpressions;

namespace Nexa.Tests.Engine.Tools;

/// <summary>The rules a GBNF grammar defines and the names its rules use (tests only: a shape check, not a parser).</summary>
internal sealed partial record GbnfRules(IReadOnlyList<string> Defined, IReadOnlySet<string> Used, IReadOnlyDictionary<string, string> Bodies)
{
    public static GbnfRules Of(string grammar)
    {
        var defined = new List<string>();
        var bodies = new Dictionary<string, string>();
        var used = new HashSet<string>();
        string? current = null;
        foreach (var line in grammar.Split('\n'))
        {
            var definition = Definition().Match(line);
            var body = line;
            if (definition.Success)
            {
                current = definition.Groups[1].Value;
                defined.Add(current);
                body = line[definition.Length..];
                bodies[current] = body;
            }
            else if (current is not null)
            {
                bodies[current] += "\n" + body;
            }

            foreach (Match name in Name().Matches(Unquoted().Replace(body, " ")))
            {
                used.Add(name.Value);
            }
        }

        return new GbnfRules(defined, used, bodies);
    }

    [GeneratedRegex(@"^([A-Za-z0-9-]+)\s*::=")]
    private static partial Regex Definition();

    // Literals, classes, repetition counts, token references and comments hold no rule names.
    [GeneratedRegex(@"""(\\.|[^""\\])*""|\[(\\.|[^\]\\])*\]|\{[^}]*\}|<[^>]*>|#.*$")]
    private static partial Regex Unquoted();

    [GeneratedRegex(@"[A-Za-z0-9_-]+")]
    private static partial Regex Name();
}
