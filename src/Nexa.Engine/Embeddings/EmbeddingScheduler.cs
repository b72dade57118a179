using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using LLama;
using LLama.Native;
using Nexa.Engine.Text;

namespace Nexa.Engine.Embeddings;

/// <summary>
/// The one loop that owns an embedding model's llama context. Jobs arrive on a queue; each step packs the waiting
/// sequences, oldest job first, into one batch (up to the batch's tokens and the context's sequence count, each
/// sequence whole and under its own sequence id), decodes it, reads one pooled output per sequence, and clears
/// those sequences for the next step. Small requests from many callers therefore share decodes.
/// </summary>
/// <remarks>
/// A sequence is never split across decodes: pooling (mean, CLS, rank) sees only the tokens of one micro-batch, and
/// an encoder (BERT) aborts the process on a batch larger than its micro-batch. The model is loaded with the batch
/// equal to the micro-batch and every input is checked against it before it is queued. Like the chat scheduler it
/// runs on its own thread, so cancellation is not delayed by a busy thread pool; a decode in progress cannot be
/// cancelled, but a cancelled job takes no further places.
/// </remarks>
internal sealed class EmbeddingScheduler
{
    private readonly LLamaContext _context;
    private readonly int _batchTokens;
    private readonly int _maxSequences;
    private readonly Channel<EmbeddingJob> _queue = Channel.CreateUnbounded<EmbeddingJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<EmbeddingJob> _active = [];
    private readonly List<(EmbeddingJob Job, int Index)> _placed = [];
    private readonly LLamaBatch _batch = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    public EmbeddingScheduler(LLamaContext context, int batchTokens, int maxSequences)
    {
        _context = context;
        _batchTokens = batchTokens;
        _maxSequences = maxSequences;
        new Thread(Run) { IsBackground = true, Name = "nexa-embedding-scheduler" }.Start();
    }

    /// <summary>Queues a job; it completes with one output per sequence. A job queued after <see cref="StopAsync"/> fails at once.</summary>
    public void Enqueue(EmbeddingJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            job.Fail(Unloaded());
        }
    }

    /// <summary>Stops the loop: waiting jobs fail, the context is freed. Completes after at most the decode in progress.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        return _stopped.Task;
    }

    private static EngineException Unloaded() => new(EngineErrorKind.Internal, "the model was unloaded while this request was running or waiting");

    private void Run()
    {
        Exception? failure = null;
        try
        {
            while (!_stopping)
            {
                while (_queue.Reader.TryRead(out var job))
                {
                    _active.Add(job);
                }

                DropFinished();
                if (_active.Count == 0)
                {
                    // Idle: block this (dedicated) thread until a job arrives or the queue is closed.
                    if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                try
                {
                    Step();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in one step must not take the model down: fail the jobs it touched and go on.
                    NativeLogging.Note($"an embedding step failed: {e}");
                    var error = new EngineException(EngineErrorKind.Internal, $"embedding failed: {e.Message}", inner: e);
                    foreach (var (job, _) in _placed)
                    {
                        job.Fail(error);
                    }
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            ShutDown(failure);
        }
    }

    private void DropFinished()
    {
        foreach (var job in _active.Where(j => !j.IsFinished && j.Cancellation.IsCancellationRequested))
        {
            job.Cancel();
        }

        _active.RemoveAll(j => j.IsFinished);
    }

    private void Step()
    {
        Fill();
        var handle = _context.NativeHandle;
        try
        {
            var logMark = NativeLogging.Mark();
            var result = _context.Decode(_batch);
            if (result != DecodeResult.Ok)
            {
                var error = new EngineException(EngineErrorKind.Internal,
                    $"llama.cpp could not decode ({result}): {NativeLogging.ReasonSince(logMark, maxLines: 3)}");
                foreach (var (job, _) in _placed)
                {
                    job.Fail(error);
                }

                return;
            }

            for (var seq = 0; seq < _placed.Count; seq++)
            {
                var (job, index) = _placed[seq];
                job.Store(index, Read(handle, seq, job.ScoresOnly));
            }
        }
        finally
        {
            // Each step starts from an empty memory: the sequence ids are reused by the next batch.
            for (var seq = 0; seq < _placed.Count; seq++)
            {
                handle.MemorySequenceRemove((LLamaSeqId)seq, -1, -1);
            }
        }
    }

    /// <summary>Packs whole sequences, oldest job first, until the batch's tokens or sequence ids run out.</summary>
    private void Fill()
    {
        _batch.Clear();
        _placed.Clear();
        var tokensLeft = _batchTokens;
        foreach (var job in _active)
        {
            var taken = 0;
            while (job.Next < job.Sequences.Length && _placed.Count < _maxSequences && taken < job.MaxPerDecode)
            {
                var tokens = job.Sequences[job.Next];
                if (tokens.Length > _batchTokens)
                {
                    // Cannot happen (inputs are checked against the batch when queued); never loop on it.
                    job.Fail(new EngineException(EngineErrorKind.Internal, $"a sequence of {tokens.Length} tokens does not fit a batch of {_batchTokens}"));
                    break;
                }

                if (tokens.Length > tokensLeft)
                {
                    return;
                }

                var seq = (LLamaSeqId)_placed.Count;
                for (var position = 0; position < tokens.Length; position++)
                {
                    // Pooling reads every token's state: all of them are outputs (llama.cpp refuses otherwise).
                    _batch.Add(tokens[position], position, seq, true);
                }

                _placed.Add((job, job.Next));
                job.Next++;
                taken++;
                tokensLeft -= tokens.Length;
            }

            if (_placed.Count == _maxSequences)
            {
                return;
            }
        }
    }

    private static float[] Read(SafeLLamaContextHandle handle, int seq, bool scoreOnly)
    {
        // LLamaSharp spans llama.cpp's pointer without a null check; a null one (no pooling) would be read as memory.
        var output = handle.GetEmbeddingsSeq((LLamaSeqId)seq);
        if (Unsafe.IsNullRef(ref MemoryMarshal.GetReference(output)))
        {
            throw new InvalidOperationException($"llama.cpp returned no pooled output for sequence {seq}");
        }

        // Rank pooling writes one float per sequence (the score) though the span is n_embd long: read only that.
        return scoreOnly ? [output[0]] : output.ToArray();
    }

    private void ShutDown(Exception? failure)
    {
        _queue.Writer.TryComplete();
        var error = failure is null
            ? Unloaded()
            : new EngineException(EngineErrorKind.Internal, $"the model's scheduler failed: {failure.Message}", inner: failure);
        foreach (var job in _active)
        {
            job.Fail(error);
        }

        while (_queue.Reader.TryRead(out var job))
        {
            job.Fail(error);
        }

        _context.Dispose();
        _stopped.TrySetResult();
    }
}
