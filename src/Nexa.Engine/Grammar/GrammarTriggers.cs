using System.Text;

namespace Nexa.Engine.Grammar;

/// <summary>
/// The trigger side of a lazy grammar, followed in managed code exactly as llama.cpp follows it
/// (<c>llama_grammar_accept_impl</c>): while awaiting, a trigger token starts the grammar at that token; otherwise
/// the token pieces pile up in a buffer, and the first trigger word (in the order given) found in it starts the
/// grammar at the word, replaying the buffered pieces from there. llama.cpp throws through C (an abort) when that
/// replay is text the grammar cannot take, so <see cref="TryAccept"/> answers false first and the caller samples
/// another token.
/// </summary>
public sealed class GrammarTriggers
{
    private readonly GbnfGrammar _grammar;
    private readonly byte[][] _words;
    private readonly HashSet<int> _tokens;
    private readonly List<byte> _buffer = [];
    private readonly List<(int Token, int Start, int End)> _positions = [];

    public GrammarTriggers(GbnfGrammar grammar, IReadOnlyList<string> words, IReadOnlyList<int> tokens)
    {
        _grammar = grammar;
        _words = [.. words.Select(Encoding.UTF8.GetBytes)];
        _tokens = [.. tokens];
    }

    /// <summary>True once a trigger has fired: the grammar constrains every token from now on.</summary>
    public bool Triggered { get; private set; }

    /// <summary>The regex pattern llama.cpp is given for a trigger word: the word with every regex metacharacter escaped.</summary>
    public static string Pattern(string word)
    {
        var text = new StringBuilder();
        foreach (var c in word)
        {
            if (".^$|()*+?[]{}\\".Contains(c, StringComparison.Ordinal))
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    /// <summary>
    /// Follows one sampled token (its piece as llama.cpp renders it, special tokens included). False, with nothing
    /// changed, when it would fire a trigger whose replay the grammar refuses.
    /// </summary>
    public bool TryAccept(int token, ReadOnlySpan<byte> piece)
    {
        if (Triggered)
        {
            return true;
        }

        if (_tokens.Contains(token))
        {
            var matcher = new GbnfMatcher(_grammar);
            if (!matcher.AcceptToken(token, piece))
            {
                return false;
            }

            Fire();
            return true;
        }

        var start = _buffer.Count;
        _buffer.AddRange(piece);
        _positions.Add((token, start, _buffer.Count));
        foreach (var word in _words)
        {
            var at = IndexOf(word);
            if (at < 0)
            {
                continue;
            }

            if (!Replays(at))
            {
                _buffer.RemoveRange(start, _buffer.Count - start);
                _positions.RemoveAt(_positions.Count - 1);
                return false;
            }

            Fire();
            return true;
        }

        return true;
    }

    // The tokens overlapping the buffer from `at` on, each with its piece cut to start no earlier than `at`.
    private bool Replays(int at)
    {
        var matcher = new GbnfMatcher(_grammar);
        var buffer = _buffer.ToArray();
        foreach (var (token, start, end) in _positions)
        {
            if (end <= at)
            {
                continue;
            }

            var from = Math.Max(start, at);
            if (!matcher.AcceptToken(token, buffer.AsSpan(from, end - from)))
            {
                return false;
            }
        }

        return true;
    }

    private void Fire()
    {
        Triggered = true;
        _buffer.Clear();
        _positions.Clear();
    }

    private int IndexOf(byte[] word)
    {
        if (word.Length == 0)
        {
            return 0;
        }

        for (var i = 0; i + word.Length <= _buffer.Count; i++)
        {
            var j = 0;
            while (j < word.Length && _buffer[i + j] == word[j])
            {
                j++;
            }

            if (j == word.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
