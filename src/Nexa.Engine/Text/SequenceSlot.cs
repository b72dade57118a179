using System.Diagnostics;
using LLama;
using LLama.Native;
using Nexa.Engine.Vision;

namespace Nexa.Engine.Text;

/// <summary>
/// One sequence of the shared llama context (its own sequence id and KV cells) and the job it is running:
/// where its prompt has got to, its position, its sampler and its answer stream. Only the scheduler loop
/// touches a slot. Each step decodes one batch holding every busy slot's next tokens.
/// </summary>
/// <remarks>
/// The slot remembers which tokens its KV cells hold (<see cref="CachedTokens"/>) after a job ends, so the next
/// job whose prompt starts the same way (the same conversation, one turn longer) decodes only the rest.
/// An image in the cached list is its pseudo tokens (derived from its content hash), so a later request with the same
/// image at the same place reuses its KV without encoding it again.
/// </remarks>
internal sealed class SequenceSlot(LLamaSeqId id, LLamaWeights weights)
{
    private readonly List<GenerationEvent> _deltas = [];

    // The tokens whose KV this sequence holds, in position order: position i holds _cached[i].
    private readonly List<LLamaToken> _cached = [];

    // The images among the cached positions: where each starts → its SHA-256 (the pseudo tokens only hint at it) and end.
    private readonly Dictionary<int, (byte[] Hash, int End)> _cachedImages = [];
    private GenerationJob? _job;
    private AnswerStream? _answer;
    private int _promptCursor;
    private LLamaToken _lastToken;
    private int _logitIndex = -1;
    private int _completionTokens;
    private int _reused;
    private long _firstTokenAt;

    // What the step's Fill added, so a decode that fails can be undone.
    private int _filledFrom = -1;
    private int _cursorBeforeFill;

    public LLamaSeqId Id { get; } = id;

    public GenerationJob? Job => _job;

    public bool IsBusy => _job is not null;

    /// <summary>Still feeding its prompt (so it wants many batch places, not one).</summary>
    public bool IsPrefilling => _job is not null && _promptCursor < _job.Prompt.Tokens.Length;

    /// <summary>When its last job started (<see cref="Stopwatch"/> timestamp): the youngest is ended first when the KV cache runs out; the least recently used idle slot is reused first.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Tokens whose KV cells this sequence holds (kept after a job ends, for the next one to reuse).</summary>
    public int CachedTokens => _cached.Count;

    /// <summary>How many leading positions of <paramref name="prompt"/> this slot's KV cells already hold.</summary>
    public int CommonPrefix(ChatPrompt prompt)
    {
        var tokens = prompt.Tokens;
        var n = Math.Min(tokens.Length, _cached.Count);
        var i = 0;
        while (i < n && _cached[i] == tokens[i])
        {
            i++;
        }

        // An image is reused whole or not at all, and only when its content hash (not just its pseudo tokens) matches.
        foreach (var image in prompt.Images)
        {
            if (image.Start >= i)
            {
                break;
            }

            var same = image.End <= i && _cachedImages.TryGetValue(image.Start, out var cached) && cached.Hash.AsSpan().SequenceEqual(image.Hash);
            if (!same)
            {
                return image.Start;
            }
        }

        return i;
    }

    /// <summary>Starts a job, keeping the KV of the longest prefix its prompt shares with what this sequence holds.</summary>
    public void Start(GenerationJob job, SafeLLamaContextHandle context, bool reuseCache)
    {
        var prompt = job.Prompt.Tokens;
        // The last prompt token is always decoded again: its logits are what the first sample needs (it is text: the
        // prompt builder never ends a prompt with an image).
        var keep = reuseCache ? Math.Min(CommonPrefix(job.Prompt), prompt.Length - 1) : 0;
        Forget(context, keep);
        _job = job;
        _answer = new AnswerStream(weights, job.Stops, job.Prompt.StartsInThinking, job.Tools);
        _promptCursor = keep;
        _reused = keep;
        _completionTokens = 0;
        _firstTokenAt = 0;
        _logitIndex = -1;
        _filledFrom = -1;
        StartedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Drops this sequence's KV cells from position <paramref name="from"/> on (all of them by default).</summary>
    public void Forget(SafeLLamaContextHandle context, int from = 0)
    {
        if (from < _cached.Count || from == 0)
        {
            context.MemorySequenceRemove(Id, from, -1);
        }

        if (from < _cached.Count)
        {
            _cached.RemoveRange(from, _cached.Count - from);
        }

        // An image cut anywhere is gone whole.
        foreach (var (start, _) in _cachedImages.Where(p => p.Value.End > from).ToList())
        {
            _cachedImages.Remove(start);
        }
    }

    /// <summary>The prompt's next image, when the prompt has got exactly to it (the scheduler then evaluates it before any more text).</summary>
    public PromptImage? PendingImage =>
        _job is null ? null : _job.Prompt.Images.FirstOrDefault(i => i.Start == _promptCursor);

    /// <summary>
    /// Encodes the pending image and decodes its embeddings into this sequence (outside the shared batch).
    /// Returns mtmd's status: 0 when done; otherwise the image's partial cells are dropped and it can be retried.
    /// </summary>
    public int EvaluateImage(VisionProjector vision, SafeLLamaContextHandle context, int batchSize)
    {
        var image = PendingImage ?? throw new InvalidOperationException("no image is pending");
        var status = vision.Evaluate(image, context, _cached.Count, Id, batchSize, out var next);
        if (status != 0)
        {
            // mtmd may have decoded some of the image's embeddings before it failed.
            context.MemorySequenceRemove(Id, image.Start, -1);
            Forget(context, image.Start);
            return status;
        }

        if (next != image.End)
        {
            // Our positions and mtmd's disagree: nothing after this could be placed right.
            context.MemorySequenceRemove(Id, image.Start, -1);
            Forget(context, image.Start);
            throw new InvalidOperationException($"mtmd placed an image of {image.Positions} positions at {image.Start} and ended at {next}");
        }

        for (var k = 0; k < image.Positions; k++)
        {
            _cached.Add(_job!.Prompt.Tokens[image.Start + k]);
        }

        _cachedImages[image.Start] = (image.Hash, image.End);
        _promptCursor = image.End;
        return 0;
    }

    /// <summary>Adds this slot's next tokens to the step's batch: a chunk of prompt, or the last sampled token.</summary>
    /// <returns>How many places of the batch it took.</returns>
    public int Fill(LLamaBatch batch, int room)
    {
        _logitIndex = -1;
        _filledFrom = -1;
        if (_job is null || room <= 0)
        {
            return 0;
        }

        _filledFrom = _cached.Count;
        _cursorBeforeFill = _promptCursor;
        var prompt = _job.Prompt.Tokens;
        if (_promptCursor < prompt.Length)
        {
            // Text up to the next image; the image itself is evaluated on its own at the start of a later step.
            var stop = _job.Prompt.Images.FirstOrDefault(i => i.Start >= _promptCursor)?.Start ?? prompt.Length;
            var count = Math.Min(room, stop - _promptCursor);
            for (var i = 0; i < count; i++, _promptCursor++)
            {
                var last = _promptCursor == prompt.Length - 1;
                var index = Add(batch, prompt[_promptCursor], last);
                if (last)
                {
                    _logitIndex = index;
                }
            }

            return count;
        }

        _logitIndex = Add(batch, _lastToken, true);
        return 1;
    }

    /// <summary>The step's decode failed and llama.cpp rolled its cells back: take back what <see cref="Fill"/> added, to add it again next step.</summary>
    public void Unfill(SafeLLamaContextHandle context)
    {
        if (_filledFrom >= 0)
        {
            Forget(context, _filledFrom);
            _promptCursor = _cursorBeforeFill;
        }

        _filledFrom = -1;
        _logitIndex = -1;
    }

    /// <summary>After the step's decode: samples this slot's next token (when it asked for logits) and streams it.</summary>
    public void Advance(SafeLLamaContextHandle context)
    {
        _filledFrom = -1;
        if (_job is null || _answer is null || _logitIndex < 0)
        {
            return;
        }

        // Sample also accepts the token into the sampler (penalties, grammar). Never Accept it again: a second
        // accept with a grammar aborts the process.
        var token = _job.Sampler.Sample(context, _logitIndex);
        if (_firstTokenAt == 0)
        {
            _firstTokenAt = Stopwatch.GetTimestamp();
        }

        if (!_job.IgnoreEos && token.IsEndOfGeneration(weights.Vocab))
        {
            Finish(FinishReason.Stop);
            return;
        }

        _completionTokens++;
        _deltas.Clear();
        _answer.Add(token, _deltas);
        Publish();
        if (_answer.Stopped)
        {
            Finish(FinishReason.Stop);
        }
        else if (_completionTokens >= _job.MaxTokens)
        {
            Finish(FinishReason.Length);
        }
        else
        {
            _lastToken = token;
        }
    }

    /// <summary>
    /// Ends the job without an answer: cancelled by its caller, or failed. A cancelled job's cells are consistent
    /// and stay cached; after a failure they are dropped (pass <paramref name="forget"/>).
    /// </summary>
    public void Abort(Exception error, SafeLLamaContextHandle? context, bool forget = false)
    {
        if (forget && context is not null)
        {
            Forget(context);
        }
        else if (forget)
        {
            _cached.Clear();
            _cachedImages.Clear();
        }

        var job = Release();
        job?.Complete(error);
        job?.Dispose();
    }

    private int Add(LLamaBatch batch, LLamaToken token, bool logits)
    {
        var index = batch.Add(token, _cached.Count, Id, logits);
        _cached.Add(token);
        return index;
    }

    private void Finish(FinishReason reason)
    {
        var job = _job!;
        _deltas.Clear();
        _answer!.Finish(_deltas);
        Publish();
        if (reason == FinishReason.Stop && _answer.ToolAnswer is { HasToolCalls: true })
        {
            reason = FinishReason.ToolCalls;
        }

        var now = Stopwatch.GetTimestamp();
        var firstToken = Stopwatch.GetElapsedTime(job.StartedAt, _firstTokenAt == 0 ? now : _firstTokenAt);
        job.Publish(new GenerationFinished(reason, job.Prompt.Tokens.Length, _completionTokens, firstToken, Stopwatch.GetElapsedTime(job.StartedAt, now))
        {
            CachedTokens = _reused,
        });
        // Free the slot before the caller hears the end, so a caller that counts busy slots right after sees it free.
        _ = Release();
        job.Complete();
        job.Dispose();
    }

    private void Publish()
    {
        foreach (var delta in _deltas)
        {
            _job!.Publish(delta);
        }
    }

    /// <summary>Frees the slot; the caller completes and disposes the job it returns.</summary>
    private GenerationJob? Release()
    {
        // The KV cells stay (the cache for the next job); the scheduler drops them when another sequence needs room.
        var job = _job;
        _job = null;
        _answer = null;
        _logitIndex = -1;
        _filledFrom = -1;
        return job;
    }
}
