using System.Threading.Channels;
using LLama;
using LLama.Native;
using Nexa.Engine.Vision;

namespace Nexa.Engine.Text;

/// <summary>
/// The one loop that owns a model's llama context. Jobs arrive on a queue; the loop admits them into free
/// sequence slots in order (FIFO) between steps, and each step decodes one batch with every busy slot's next
/// tokens (continuous batching), then samples each slot that asked for logits and streams its text back on the
/// job's own channel.
/// </summary>
/// <remarks>
/// The loop runs on its own thread, not the thread pool: a pool thread makes cancellation late by up to half a
/// second under load (shared/notes/runner-grpc-uds.md). Cancellation is checked after every decode step.
/// <para>
/// Sharing one step: every generating slot takes one batch place first; prefilling slots (oldest job first) share
/// what is left, so a long prompt is fed in chunks over several steps and never stalls answers already streaming.
/// </para>
/// <para>
/// Sharing the KV cache: each slot may grow to the context / slot count (checked before a job is queued), so the
/// slots together never need more cells than the context has. An idle slot keeps its cells as a prompt cache: a
/// new job goes to the idle slot whose cells share the longest prefix with its prompt (the least recently used
/// one on a tie) and decodes only the rest. Should llama.cpp still find no room (NoKvSlot), the step is undone,
/// idle slots' caches are dropped first, then the youngest job is ended with an error, and the step is retried.
/// </para>
/// <para>
/// Images: a prefilling slot whose prompt has got to an image has it encoded and its embeddings decoded into its own
/// sequence by mtmd at the start of a step, outside the shared batch (mtmd decodes embeddings, not tokens); its text
/// then goes on in the same step.
/// </para>
/// </remarks>
internal sealed class ChatScheduler
{
    private readonly LLamaContext _context;
    private readonly VisionProjector? _vision;
    private readonly int _batchSize;
    private readonly bool _promptCache;
    private readonly SequenceSlot[] _slots;
    private readonly Channel<GenerationJob> _queue = Channel.CreateUnbounded<GenerationJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _queuedJobs;

    public ChatScheduler(LLamaWeights weights, LLamaContext context, int batchSize, int slotCount, bool promptCache, VisionProjector? vision = null)
    {
        _context = context;
        _vision = vision;
        _batchSize = batchSize;
        _promptCache = promptCache;
        _slots = Enumerable.Range(0, slotCount).Select(i => new SequenceSlot((LLamaSeqId)i, weights)).ToArray();
        _thread = new Thread(Run) { IsBackground = true, Name = "nexa-chat-scheduler" };
        _thread.Start();
    }

    /// <summary>Slots running a job now (read from other threads: a snapshot, for tests and health).</summary>
    public int ActiveSlots => _slots.Count(s => s.IsBusy);

    public int SlotCount => _slots.Length;

    /// <summary>KV cells the slots hold now (running jobs and idle prompt caches).</summary>
    public int CachedTokens => _slots.Sum(s => s.CachedTokens);

    /// <summary>Jobs waiting for a free slot.</summary>
    public int QueuedJobs => Volatile.Read(ref _queuedJobs);

    /// <summary>Queues a job; its events arrive on its channel. A job queued after <see cref="StopAsync"/> fails at once.</summary>
    public void Enqueue(GenerationJob job)
    {
        Interlocked.Increment(ref _queuedJobs);
        if (!_queue.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _queuedJobs);
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
                        slot.Abort(error, _context.NativeHandle, forget: true);
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
        var handle = _context.NativeHandle;
        while (_slots.Any(s => !s.IsBusy) && _queue.Reader.TryRead(out var job))
        {
            Interlocked.Decrement(ref _queuedJobs);
            if (job.Cancellation.IsCancellationRequested)
            {
                job.Complete(new OperationCanceledException(job.Cancellation));
                job.Dispose();
                continue;
            }

            PickSlot(job.Prompt).Start(job, handle, _promptCache);
        }
    }

    /// <summary>The idle slot whose cached tokens share the longest prefix with the prompt; the least recently used on a tie.</summary>
    private SequenceSlot PickSlot(ChatPrompt prompt)
    {
        SequenceSlot? best = null;
        var bestPrefix = -1;
        foreach (var slot in _slots.Where(s => !s.IsBusy))
        {
            var prefix = _promptCache ? slot.CommonPrefix(prompt) : 0;
            if (prefix > bestPrefix || (prefix == bestPrefix && slot.StartedAt < best!.StartedAt))
            {
                best = slot;
                bestPrefix = prefix;
            }
        }

        return best!;
    }

    private void Step(LLamaBatch batch)
    {
        var handle = _context.NativeHandle;
        EvaluateImages(handle);
        batch.Clear();
        var room = _batchSize;
        // Generating slots take one place each before prompts take what is left, so a long prompt being fed
        // never stalls answers already streaming.
        foreach (var slot in _slots.Where(s => s.IsBusy && !s.IsPrefilling))
        {
            room -= slot.Fill(batch, room);
        }

        foreach (var slot in _slots.Where(s => s.IsPrefilling).OrderBy(s => s.StartedAt))
        {
            room -= slot.Fill(batch, room);
        }

        if (batch.TokenCount == 0)
        {
            return;
        }

        var logMark = NativeLogging.Mark();
        var result = _context.Decode(batch);
        if (result == DecodeResult.NoKvSlot)
        {
            MakeRoom(NativeLogging.ReasonSince(logMark, maxLines: 3));
            return;
        }

        if (result != DecodeResult.Ok)
        {
            var error = new EngineException(EngineErrorKind.Internal,
                $"llama.cpp could not decode ({result}): {NativeLogging.ReasonSince(logMark, maxLines: 3)}");
            foreach (var slot in _slots.Where(s => s.IsBusy))
            {
                slot.Abort(error, handle, forget: true);
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

    /// <summary>Encodes and decodes the image each prefilling slot has got to (oldest job first).</summary>
    private void EvaluateImages(SafeLLamaContextHandle handle)
    {
        if (_vision is null)
        {
            return;
        }

        foreach (var slot in _slots.Where(s => s.IsPrefilling && s.PendingImage is not null).OrderBy(s => s.StartedAt))
        {
            var job = slot.Job!;
            if (job.Cancellation.IsCancellationRequested)
            {
                // Encoding cannot be interrupted: a cancelled job is not worth starting one for.
                slot.Abort(new OperationCanceledException(job.Cancellation), handle);
                continue;
            }

            var logMark = NativeLogging.Mark();
            var status = slot.EvaluateImage(_vision, handle, _batchSize);
            if (status == 0)
            {
                continue;
            }

            var cached = _slots.Where(s => !s.IsBusy && s.CachedTokens > 0).ToList();
            if (cached.Count > 0)
            {
                // Perhaps the KV cache was full: drop idle slots' caches; the image is tried again next step.
                foreach (var idle in cached)
                {
                    idle.Forget(handle);
                }

                continue;
            }

            slot.Abort(new EngineException(EngineErrorKind.Internal,
                $"the vision projector could not evaluate an image (mtmd status {status}): {NativeLogging.ReasonSince(logMark, maxLines: 3)}"),
                handle, forget: true);
        }
    }

    /// <summary>
    /// The KV cache had no room for the step: undo it (the next step adds the same tokens again) after dropping idle
    /// slots' caches, or, when there are none, ending the youngest job.
    /// </summary>
    private void MakeRoom(string reason)
    {
        var handle = _context.NativeHandle;
        foreach (var slot in _slots.Where(s => s.IsBusy))
        {
            slot.Unfill(handle);
        }

        var cached = _slots.Where(s => !s.IsBusy && s.CachedTokens > 0).ToList();
        if (cached.Count > 0)
        {
            foreach (var slot in cached)
            {
                slot.Forget(handle);
            }

            return;
        }

        var youngest = _slots.Where(s => s.IsBusy).MaxBy(s => s.StartedAt);
        if (youngest is null)
        {
            return;
        }

        NativeLogging.Note($"the KV cache is full; ending the youngest request: {reason}");
        youngest.Abort(new EngineException(EngineErrorKind.Internal,
            $"the model's KV cache ({_context.ContextSize} tokens, shared by {_slots.Length} parallel requests) is full: " +
            "this request was ended to let the others finish; retry it, or load the model with a larger context or fewer parallel slots",
            code: ErrorCodes.KvCacheFull), handle, forget: true);
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
            Interlocked.Decrement(ref _queuedJobs);
            job.Complete(error);
            job.Dispose();
        }

        _context.Dispose();
        _stopped.TrySetResult();
    }
}
