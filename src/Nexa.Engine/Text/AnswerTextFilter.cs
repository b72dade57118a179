namespace Nexa.Engine.Text;

/// <summary>
/// Turns a generation's decoded text, as it streams in, into answer and reasoning pieces. A stop string is
/// never shown: any tail that could still become one is held back until the next text decides it. A
/// leading &lt;think&gt;…&lt;/think&gt; block (Qwen3, DeepSeek-R1) comes out as reasoning, never as answer, with
/// its tags hidden, also when a tag arrives in pieces. Stop strings apply to the answer only: a thinking
/// model's reasoning routinely contains text such as a blank line that would end a short answer.
/// </summary>
internal sealed class AnswerTextFilter
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    private readonly string[] _stops;
    private string _pending = "";
    private bool _inThinking;
    private bool _answerStarted;
    private bool _trimAnswerStart;

    /// <param name="startInThinking">The prompt already opened the thinking block (its template ends in &lt;think&gt;).</param>
    public AnswerTextFilter(IEnumerable<string> stops, bool startInThinking)
    {
        _stops = stops.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray();
        _inThinking = startInThinking;
    }

    /// <summary>A stop string was seen: the answer is complete and later text is ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds decoded text and appends to <paramref name="output"/> what can be shown now.</summary>
    public void Push(string text, List<TextDelta> output)
    {
        if (Stopped || text.Length == 0)
        {
            return;
        }

        _pending += text;
        while (_pending.Length > 0)
        {
            var progressed = _inThinking ? ReadReasoning(output) : ReadAnswer(output);
            if (!progressed)
            {
                return;
            }
        }
    }

    /// <summary>The generation ended: shows what was held back (a partial stop string is just text).</summary>
    public void Flush(List<TextDelta> output)
    {
        if (Stopped)
        {
            return;
        }

        if (!_inThinking && _trimAnswerStart)
        {
            _pending = _pending.TrimStart();
        }

        Emit(_pending, _inThinking, output);
        _pending = "";
    }

    /// <returns>True when a tag was consumed and the rest of the pending text must be read again.</returns>
    private bool ReadReasoning(List<TextDelta> output)
    {
        var close = _pending.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (close >= 0)
        {
            Emit(_pending[..close], reasoning: true, output);
            _pending = _pending[(close + ThinkClose.Length)..];
            _inThinking = false;
            _trimAnswerStart = true;
            return true;
        }

        var keep = LongestTailStarting(_pending, ThinkClose);
        Emit(_pending[..^keep], reasoning: true, output);
        _pending = _pending[^keep..];
        return false;
    }

    private bool ReadAnswer(List<TextDelta> output)
    {
        if (_trimAnswerStart)
        {
            // Models put a blank line between </think> and the answer; it is not part of the answer.
            _pending = _pending.TrimStart();
            if (_pending.Length == 0)
            {
                return false;
            }

            _trimAnswerStart = false;
        }

        var stopAt = FindStop(_pending);
        if (!_answerStarted)
        {
            // A thinking block counts only at the very start of the answer (after whitespace).
            var head = _pending.TrimStart();
            var skipped = _pending.Length - head.Length;
            if (head.StartsWith(ThinkOpen, StringComparison.Ordinal) && (stopAt < 0 || skipped < stopAt))
            {
                _pending = head[ThinkOpen.Length..];
                _inThinking = true;
                _answerStarted = true;
                return true;
            }

            if (stopAt < 0 && ThinkOpen.StartsWith(head, StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (stopAt >= 0)
        {
            Emit(_pending[..stopAt], reasoning: false, output);
            _pending = "";
            Stopped = true;
            return false;
        }

        var keep = _stops.Length == 0 ? 0 : _stops.Max(s => LongestTailStarting(_pending, s));
        Emit(_pending[..^keep], reasoning: false, output);
        _pending = _pending[^keep..];
        return false;
    }

    /// <summary>Where the earliest stop string starts in <paramref name="text"/>, or -1.</summary>
    private int FindStop(string text)
    {
        var earliest = -1;
        foreach (var stop in _stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest))
            {
                earliest = at;
            }
        }

        return earliest;
    }

    private void Emit(string text, bool reasoning, List<TextDelta> output)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (!reasoning && !string.IsNullOrWhiteSpace(text))
        {
            _answerStarted = true;
        }

        if (output.Count > 0 && output[^1].IsReasoning == reasoning)
        {
            output[^1] = output[^1] with { Text = output[^1].Text + text };
        }
        else
        {
            output.Add(new TextDelta(text, reasoning));
        }
    }

    /// <summary>The length of the longest tail of <paramref name="text"/> that is a proper beginning of <paramref name="marker"/>.</summary>
    private static int LongestTailStarting(string text, string marker)
    {
        for (var length = Math.Min(text.Length, marker.Length - 1); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(marker.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
