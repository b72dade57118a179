using System.Diagnostics;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// One sequence of the shared llama context (its own sequence id and KV cells) and the job it is running:
/// where its prompt has got to, its position, its sampler and its answer stream. Only the scheduler loop
/// touches a slot. With several slots, each step decodes one batch holding every busy slot's next tokens.
/// </summary>
internal sealed class SequenceSlot(LLamaSeqId id, LLamaWeights weights)
{
    private readonly List<TextDelta> _deltas = [];
    private GenerationJob? _job;
    private AnswerStream? _answer;
    private int _promptCursor;
    private int _position;
    private LLamaToken _lastToken;
    private int _logitIndex = -1;
    private int _completionTokens;
    private long _firstTokenAt;

    public LLamaSeqId Id { get; } = id;

    public GenerationJob? Job => _job;

    public bool IsBusy => _job is not null;

    /// <summary>Still feeding its prompt (so it wants many batch places, not one).</summary>
    public bool IsPrefilling => _job is not null && _promptCursor < _job.Prompt.Tokens.Length;

    public void Start(GenerationJob job, SafeLLamaContextHandle context)
    {
        // A fresh sequence. (A prompt cache would keep the longest common prefix here instead; it is left out
        // because a one-token decode of the prompt's end gives slightly different logits than a batched one,
        // and the same seed must give the same answer.)
        context.MemorySequenceRemove(Id, -1, -1);
        _job = job;
        _answer = new AnswerStream(weights, job.Stops, job.Prompt.StartsInThinking);
        _promptCursor = 0;
        _position = 0;
        _completionTokens = 0;
        _firstTokenAt = 0;
        _logitIndex = -1;
    }

    /// <summary>Adds this slot's next tokens to the step's batch: a chunk of prompt, or the last sampled token.</summary>
    /// <returns>How many places of the batch it took.</returns>
    public int Fill(LLamaBatch batch, int room)
    {
        _logitIndex = -1;
        if (_job is null || room <= 0)
        {
            return 0;
        }

        var prompt = _job.Prompt.Tokens;
        if (_promptCursor < prompt.Length)
        {
            var count = Math.Min(room, prompt.Length - _promptCursor);
            for (var i = 0; i < count; i++, _promptCursor++)
            {
                var last = _promptCursor == prompt.Length - 1;
                var index = batch.Add(prompt[_promptCursor], _position++, Id, last);
                if (last)
                {
                    _logitIndex = index;
                }
            }

            return count;
        }

        _logitIndex = batch.Add(_lastToken, _position++, Id, true);
        return 1;
    }

    /// <summary>After the step's decode: samples this slot's next token (when it asked for logits) and streams it.</summary>
    public void Advance(SafeLLamaContextHandle context)
    {
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
            Finish(FinishReason.Stop, context);
            return;
        }

        _completionTokens++;
        _deltas.Clear();
        _answer.Add(token, _deltas);
        Publish();
        if (_answer.Stopped)
        {
            Finish(FinishReason.Stop, context);
        }
        else if (_completionTokens >= _job.MaxTokens)
        {
            Finish(FinishReason.Length, context);
        }
        else
        {
            _lastToken = token;
        }
    }

    /// <summary>Ends the job without an answer: cancelled by its caller, or failed.</summary>
    public void Abort(Exception error, SafeLLamaContextHandle? context)
    {
        _job?.Complete(error);
        Release(context);
    }

    private void Finish(FinishReason reason, SafeLLamaContextHandle context)
    {
        var job = _job!;
        _deltas.Clear();
        _answer!.Finish(_deltas);
        Publish();
        var now = Stopwatch.GetTimestamp();
        var firstToken = Stopwatch.GetElapsedTime(job.StartedAt, _firstTokenAt == 0 ? now : _firstTokenAt);
        job.Publish(new GenerationFinished(reason, job.Prompt.Tokens.Length, _completionTokens, firstToken, Stopwatch.GetElapsedTime(job.StartedAt, now)));
        job.Complete();
        Release(context);
    }

    private void Publish()
    {
        foreach (var delta in _deltas)
        {
            _job!.Publish(delta);
        }
    }

    private void Release(SafeLLamaContextHandle? context)
    {
        // Free the sequence's KV cells now, so other sequences can use them.
        context?.MemorySequenceRemove(Id, -1, -1);
        _job?.Dispose();
        _job = null;
        _answer = null;
        _logitIndex = -1;
    }
}
