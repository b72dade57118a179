namespace Nexa.Engine.Grammar;

/// <summary>
/// llama.cpp's left-recursion check (<c>llama_grammar_detect_left_recursion</c>): a rule that can reach itself
/// through leftmost references (past rules that may be empty) makes llama.cpp refuse the grammar, and older
/// builds loop or abort on it. Same walk, same order, so the same grammars are refused.
/// </summary>
internal static class LeftRecursion
{
    public static void Check(GbnfElement[][] rules, IReadOnlyDictionary<string, uint> symbols, Func<uint, (int Line, int Column)> definedAt)
    {
        var visited = new bool[rules.Length];
        var inProgress = new bool[rules.Length];
        var mayBeEmpty = new bool[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            if (!visited[i] && Detect(rules, i, visited, inProgress, mayBeEmpty))
            {
                var (line, column) = definedAt((uint)i);
                throw new GbnfException(
                    $"unsupported grammar, left recursion detected for nonterminal '{GbnfGrammar.NameOf((uint)i, symbols)}' (a rule must not be able to start with itself)", line, column);
            }
        }
    }

    private static bool IsEndOfSequence(GbnfElement e) => e.Type is GbnfElementType.End or GbnfElementType.Alternate;

    private static bool Detect(GbnfElement[][] rules, int index, bool[] visited, bool[] inProgress, bool[] mayBeEmpty)
    {
        if (inProgress[index])
        {
            return true;
        }

        inProgress[index] = true;
        var rule = rules[index];

        // An alternate with nothing in it: the rule may match the empty string.
        var atStart = true;
        foreach (var e in rule)
        {
            if (IsEndOfSequence(e))
            {
                if (atStart)
                {
                    mayBeEmpty[index] = true;
                    break;
                }

                atStart = true;
            }
            else
            {
                atStart = false;
            }
        }

        // Follow the leftmost reference of each alternate, and the next ones while those before may be empty.
        var recurse = true;
        foreach (var e in rule)
        {
            if (e.Type == GbnfElementType.RuleReference && recurse)
            {
                if (Detect(rules, (int)e.Value, visited, inProgress, mayBeEmpty))
                {
                    return true;
                }

                if (!mayBeEmpty[(int)e.Value])
                {
                    recurse = false;
                }
            }
            else if (IsEndOfSequence(e))
            {
                recurse = true;
            }
            else
            {
                recurse = false;
            }
        }

        inProgress[index] = false;
        visited[index] = true;
        return false;
    }
}
