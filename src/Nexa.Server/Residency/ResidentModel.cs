using Nexa.Engine.Text;
using Nexa.Runner;
using Nexa.Server.Errors;

namespace Nexa.Server.Residency;

/// <summary>
/// One model in residency's table: its (shared) load, its generation slots and wait queue, and the bookkeeping that
/// decides when it may be unloaded. Properties marked "lock" are read and written only under residency's lock.
/// </summary>
internal sealed class ResidentModel
{
    private readonly SemaphoreSlim _slots;
    private int _waiting;

    /// <param name="load">Starts on the thread pool at once; every request for this entry awaits the same load.</param>
    public ResidentModel(string key, RunnerStartInfo start, int parallel, long estimatedBytes, Func<ResidentModel, Task<ILoadedModel>> load)
    {
        Key = key;
        Start = start;
        Parallel = parallel;
        EstimatedBytes = estimatedBytes;
        _slots = new SemaphoreSlim(parallel, parallel);
        Loading = Task.Run(() => load(this), CancellationToken.None);
    }

    public string Key { get; }
    public RunnerStartInfo Start { get; }

    /// <summary>Generations this model admits at once (its slots).</summary>
    public int Parallel { get; }

    /// <summary>What the memory budget counts for this model (<see cref="MemoryEstimate"/>).</summary>
    public long EstimatedBytes { get; }

    /// <summary>Slots held by requests now.</summary>
    public int BusySlots => Parallel - _slots.CurrentCount;

    /// <summary>Requests waiting for a slot.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>lock: when the idle timer will unload the model (null while in use or without keep-alive).</summary>
    public DateTimeOffset? UnloadsAt { get; set; }

    /// <summary>The one load every first request awaits.</summary>
    public Task<ILoadedModel> Loading { get; }

    public bool IsLoaded => Loading.IsCompletedSuccessfully;

    /// <summary>lock: requests holding or waiting for the model; while above 0 it is never unloaded.</summary>
    public int Users { get; set; }

    /// <summary>lock: TimeProvider timestamp of the last release, for least-recently-used eviction.</summary>
    public long LastUsed { get; set; }

    /// <summary>lock: out of the table (idle, evicted, crashed, failed to load or shutting down); never reused.</summary>
    public bool Retired { get; set; }

    /// <summary>lock: the keep-alive timer while idle; the generation tells a stale timer from the current one.</summary>
    public ITimer? IdleTimer { get; set; }

    public int IdleGeneration { get; set; }

    /// <summary>lock: the disposal of the loaded model, started once.</summary>
    public Task? Unloading { get; set; }

    /// <summary>Waits for one of the model's <c>Parallel</c> slots; beyond <paramref name="queueSize"/> waiting, answers 503.</summary>
    public async Task TakeSlotAsync(int queueSize, CancellationToken ct)
    {
        if (_slots.Wait(0, CancellationToken.None))
            return;
        if (Interlocked.Increment(ref _waiting) > queueSize)
        {
            Interlocked.Decrement(ref _waiting);
            throw new ApiException(ErrorTable.QueueFull($"{queueSize} requests are already waiting for {Key}"));
        }
        try
        {
            await _slots.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void ReleaseSlot() => _slots.Release();
}
