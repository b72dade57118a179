using System.Buffers;
using System.Text;

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
    private byte[] _pending = [];

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
        _stacks = Step(_stacks, codePoint);
        return IsViable;
    }

    /// <summary>
    /// Feeds a sampled token as llama.cpp's <c>llama_grammar_accept_token</c> does: a stack waiting for a token
    /// element matches the id, the others read the piece's characters (a character split across tokens waits for
    /// its last byte). Returns <see cref="IsViable"/>; false too for bytes that are not UTF-8.
    /// </summary>
    public bool AcceptToken(int token, ReadOnlySpan<byte> piece)
    {
        var bytes = new byte[_pending.Length + piece.Length];
        _pending.CopyTo(bytes, 0);
        piece.CopyTo(bytes.AsSpan(_pending.Length));
        var codePoints = new List<uint>();
        var at = 0;
        while (at < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes.AsSpan(at), out var rune, out var used);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }

            if (status != OperationStatus.Done)
            {
                _stacks = [];
                return false;
            }

            codePoints.Add((uint)rune.Value);
            at += used;
        }

        _pending = bytes[at..];
        var next = new List<long[]>();
        var seen = new HashSet<long[]>(StackComparer.Instance);
        foreach (var stack in _stacks.Where(s => s.Length > 0))
        {
            var (rule, index) = Split(stack[^1]);
            var element = _grammar.Rules[rule][index];
            if (element.Type is GbnfElementType.Token or GbnfElementType.TokenNot)
            {
                if ((element.Type == GbnfElementType.Token) == (element.Value == (uint)token))
                {
                    var popped = stack[..^1];
                    Advance(IsEnd(rule, index + 1) ? popped : [.. popped, Position(rule, index + 1)], next, seen);
                }

                continue;
            }

            List<long[]> current = [stack];
            foreach (var c in codePoints)
            {
                current = Step(current, c);
                if (current.Count == 0)
                {
                    break;
                }
            }

            foreach (var survivor in current.Where(seen.Add))
            {
                next.Add(survivor);
            }
        }

        _stacks = next;
        return IsViable;
    }

    private List<long[]> Step(List<long[]> stacks, uint codePoint)
    {
        var next = new List<long[]>(stacks.Count);
        var seen = new HashSet<long[]>(StackComparer.Instance);
        foreach (var stack in stacks)
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

        return next;
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
