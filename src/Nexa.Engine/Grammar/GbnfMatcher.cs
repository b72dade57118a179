namespace Nexa.Engine.Grammar;

/// <summary>
/// Runs a <see cref="GbnfGrammar"/> over text the way llama.cpp's grammar sampler does (a set of pushdown stacks,
/// one character at a time), so managed code can ask what llama.cpp would answer: is this text a prefix the grammar
/// can go on from, and is it a whole match? Token elements never match text.
/// </summary>
public sealed class GbnfMatcher
{
    private readonly GbnfGrammar _grammar;
    private List<long[]> _stacks;

    public GbnfMatcher(GbnfGrammar grammar)
    {
        _grammar = grammar;
        _stacks = [];
        var seen = new HashSet<long[]>(StackComparer.Instance);
        var root = (int)grammar.Root;
        var index = 0;
        while (true)
        {
            Advance(IsEnd(root, index) ? [] : [Position(root, index)], _stacks, seen);
            index = EndOfAlternate(root, index);
            if (_grammar.Rules[root][index].Type != GbnfElementType.Alternate)
            {
                break;
            }

            index++;
        }
    }

    /// <summary>False once the text so far can no longer be completed to a match.</summary>
    public bool IsViable => _stacks.Count > 0;

    /// <summary>The text so far is a whole match (the model may end here).</summary>
    public bool IsComplete => _stacks.Any(s => s.Length == 0);

    /// <summary>True when <paramref name="text"/> as a whole matches the grammar.</summary>
    public static bool Matches(GbnfGrammar grammar, string text)
    {
        var matcher = new GbnfMatcher(grammar);
        return matcher.Accept(text) && matcher.IsComplete;
    }

    /// <summary>Feeds text; returns <see cref="IsViable"/>.</summary>
    public bool Accept(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Accept((uint)rune.Value))
            {
                return false;
            }
        }

        return IsViable;
    }

    public bool Accept(uint codePoint)
    {
        var next = new List<long[]>(_stacks.Count);
        var seen = new HashSet<long[]>(StackComparer.Instance);
        foreach (var stack in _stacks)
        {
            if (stack.Length == 0)
            {
                continue;
            }

            var (rule, index) = Split(stack[^1]);
            var type = _grammar.Rules[rule][index].Type;
            if (type is GbnfElementType.Token or GbnfElementType.TokenNot)
            {
                continue;
            }

            var (matched, after) = MatchChar(rule, index, codePoint);
            if (matched)
            {
                var popped = stack[..^1];
                Advance(IsEnd(rule, after) ? popped : [.. popped, Position(rule, after)], next, seen);
            }
        }

        _stacks = next;
        return IsViable;
    }

    // A class is its first element and the CharAlternate/CharRangeUpper elements after it; returns where it ends.
    private (bool Matched, int After) MatchChar(int rule, int index, uint c)
    {
        var elements = _grammar.Rules[rule];
        var positive = elements[index].Type is GbnfElementType.Char or GbnfElementType.CharAny;
        var found = false;
        do
        {
            var e = elements[index];
            if (elements[index + 1].Type == GbnfElementType.CharRangeUpper)
            {
                found |= e.Value <= c && c <= elements[index + 1].Value;
                index += 2;
            }
            else if (e.Type == GbnfElementType.CharAny)
            {
                found = true;
                index++;
            }
            else
            {
                found |= e.Value == c;
                index++;
            }
        }
        while (elements[index].Type == GbnfElementType.CharAlternate);

        return (found == positive, index);
    }

    // Expands rule references on top of the stack until every stack ends at a terminal (or is empty: a match).
    private void Advance(long[] start, List<long[]> output, HashSet<long[]> seen)
    {
        var todo = new Stack<long[]>();
        todo.Push(start);
        var visited = new HashSet<long[]>(StackComparer.Instance);
        while (todo.Count > 0)
        {
            var stack = todo.Pop();
            if (!visited.Add(stack))
            {
                continue;
            }

            if (stack.Length == 0)
            {
                if (seen.Add(stack))
                {
                    output.Add(stack);
                }

                continue;
            }

            var (rule, index) = Split(stack[^1]);
            var element = _grammar.Rules[rule][index];
            if (element.Type == GbnfElementType.RuleReference)
            {
                var sub = (int)element.Value;
                var subIndex = 0;
                while (true)
                {
                    var next = new List<long>(stack.Length + 1);
                    next.AddRange(stack.AsSpan(0, stack.Length - 1));
                    if (!IsEnd(rule, index + 1))
                    {
                        next.Add(Position(rule, index + 1));
                    }

                    if (!IsEnd(sub, subIndex))
                    {
                        next.Add(Position(sub, subIndex));
                    }

                    todo.Push([.. next]);
                    subIndex = EndOfAlternate(sub, subIndex);
                    if (_grammar.Rules[sub][subIndex].Type != GbnfElementType.Alternate)
                    {
                        break;
                    }

                    subIndex++;
                }
            }
            else if (seen.Add(stack))
            {
                output.Add(stack);
            }
        }
    }

    private bool IsEnd(int rule, int index) => _grammar.Rules[rule][index].Type is GbnfElementType.End or GbnfElementType.Alternate;

    private int EndOfAlternate(int rule, int index)
    {
        while (!IsEnd(rule, index))
        {
            index++;
        }

        return index;
    }

    private static long Position(int rule, int index) => ((long)rule << 32) | (uint)index;

    private static (int Rule, int Index) Split(long position) => ((int)(position >> 32), (int)(uint)position);

    private sealed class StackComparer : IEqualityComparer<long[]>
    {
        public static StackComparer Instance { get; } = new();

        public bool Equals(long[]? x, long[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(long[] obj)
        {
            var hash = new HashCode();
            foreach (var p in obj)
            {
                hash.Add(p);
            }

            return hash.ToHashCode();
        }
    }
}
