using System.Threading.Channels;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// The one loop that owns a model's llama context. Jobs arrive on a queue; the loop admits them into free
/// sequence slots in order (FIFO), and each step decodes one batch with every busy slot's next tokens, then
/// samples each slot that asked for logits and streams its text back on the job's own channel.
/// </summary>
/// <remarks>
/// The loop runs on its own thread, not the thread pool: a pool thread makes cancellation late by up to half a
/// second under load (shared/notes/runner-grpc-uds.md). Cancellation is checked after every decode step, and a
/// prompt is fed in chunks of at most one batch, so a cancelled job stops within one step and frees its slot.
/// There is one slot today, so jobs run one at a time; continuous batching is more slots (the step already
/// builds one batch from all of them) plus a policy for sharing the KV cache when it runs out.
/// </remarks>
internal sealed class ChatScheduler
{
    private readonly LLamaContext _context;
    private readonly int _batchSize;
    private readonly SequenceSlot[] _slots;
    private readonly Channel<GenerationJob> _queue = Channel.CreateUnbounded<GenerationJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ChatScheduler(LLamaWeights weights, LLamaContext context, int batchSize, int slotCount)
    {
        _context = context;
        _batchSize = batchSize;
        _slots = Enumerable.Range(0, slotCount).Select(i => new SequenceSlot((LLamaSeqId)i, weights)).ToArray();
        _thread = new Thread(Run) { IsBackground = true, Name = "nexa-chat-scheduler" };
        _thread.Start();
    }

    /// <summary>Queues a job; its events arrive on its channel. A job queued after <see cref="StopAsync"/> fails at once.</summary>
    public void Enqueue(GenerationJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            job.Complete(Unloaded());
            job.Dispose();
        }
    }

    /// <summary>
    /// Stops the loop: the running job and queued ones end with an error, and the context is freed. Completes
    /// when the loop has exited (after at most the decode step in progress).
    /// </summary>
    public Task StopAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        return _stopped.Task;
    }

    private static EngineException Unloaded() => new(EngineErrorKind.Internal, "the model was unloaded while this request was running or waiting");

    private void Run()
    {
        var batch = new LLamaBatch();
        Exception? failure = null;
        try
        {
            while (!_stopping)
            {
                AdmitQueuedJobs();
                if (!_slots.Any(s => s.IsBusy))
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
                    Step(batch);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in one step must not take the model down: end the jobs it touched and go on.
                    NativeLogging.Note($"a scheduler step failed: {e}");
                    var error = new EngineException(EngineErrorKind.Internal, $"generation failed: {e.Message}", inner: e);
                    foreach (var slot in _slots.Where(s => s.IsBusy))
                    {
                        slot.Abort(error, _context.NativeHandle);
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

    private void AdmitQueuedJobs()
    {
        foreach (var slot in _slots)
        {
            while (!slot.IsBusy && _queue.Reader.TryRead(out var job))
            {
                if (job.Cancellation.IsCancellationRequested)
                {
                    job.Complete(new OperationCanceledException(job.Cancellation));
                    job.Dispose();
                    continue;
                }

                slot.Start(job, _context.NativeHandle);
            }
        }
    }

    private void Step(LLamaBatch batch)
    {
        var handle = _context.NativeHandle;
        batch.Clear();
        var room = _batchSize;
        // Generating slots take one place each before prompts take what is left, so a long prompt being fed
        // never stalls answers already streaming.
        foreach (var slot in _slots.Where(s => s.IsBusy && !s.IsPrefilling))
        {
            room -= slot.Fill(batch, room);
        }

        foreach (var slot in _slots.Where(s => s.IsPrefilling))
        {
            room -= slot.Fill(batch, room);
        }

        if (batch.TokenCount == 0)
        {
            return;
        }

        var logMark = NativeLogging.Mark();
        var result = _context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            var error = new EngineException(EngineErrorKind.Internal,
                $"llama.cpp could not decode ({result}): {NativeLogging.ReasonSince(logMark, maxLines: 3)}");
            foreach (var slot in _slots.Where(s => s.IsBusy))
            {
                slot.Abort(error, handle);
            }

            return;
        }

        foreach (var slot in _slots.Where(s => s.IsBusy))
        {
            var job = slot.Job!;
            if (job.Cancellation.IsCancellationRequested)
            {
                slot.Abort(new OperationCanceledException(job.Cancellation), handle);
                continue;
            }

            slot.Advance(handle);
        }
    }

    private void ShutDown(Exception? failure)
    {
        _queue.Writer.TryComplete();
        var error = failure is null
            ? Unloaded()
            : new EngineException(EngineErrorKind.Internal, $"the model's scheduler failed: {failure.Message}", inner: failure);
        foreach (var slot in _slots.Where(s => s.IsBusy))
        {
            slot.Abort(error, context: null);
        }

        while (_queue.Reader.TryRead(out var job))
        {
            job.Complete(error);
            job.Dispose();
        }

        _context.Dispose();
        _stopped.TrySetResult();
    }
}
