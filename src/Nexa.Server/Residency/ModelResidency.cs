using Microsoft.Extensions.Logging;
using Nexa.Engine.Text;
using Nexa.Runner;
using Nexa.Server.Catalog;
using Nexa.Server.Errors;

namespace Nexa.Server.Residency;

/// <summary>
/// Which models are loaded. A model is launched on its first request (concurrent first requests share one load),
/// unloaded after <c>KeepAliveSeconds</c> idle, evicted least-recently-used when the memory budget (or the optional
/// <c>MaxModels</c> cap) has no room for another one, and dropped when its runner crashed so that the next request
/// launches a fresh one.
/// Each model admits <c>Parallel</c> generations at once and queues at most <c>QueueSize</c> more (then 503).
/// </summary>
internal sealed class ModelResidency(IModelLauncher launcher, ServerOptions options, TimeProvider time, ILogger<ModelResidency> log)
    : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ResidentModel> _models = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _roomFreed = NewSignal();
    private int _waitingForRoom;
    private bool _disposed;

    /// <summary>Keys (<c>org/repo:QUANT</c>) of the models loaded now, in name order.</summary>
    public IReadOnlyList<string> Loaded
    {
        get
        {
            lock (_lock)
                return [.. _models.Values.Where(m => m.IsLoaded).Select(m => m.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Holds the model loaded (launching it if needed) and, for a generation, one of its slots. Throws the load's
    /// <see cref="EngineException"/>, or <see cref="ApiException"/> (503) when the wait queue is full.
    /// </summary>
    public async Task<ModelLease> AcquireAsync(ResolvedModel model, bool forGeneration, CancellationToken ct)
    {
        var entry = await ReserveAsync(model, ct);
        var lease = new ModelLease(this, entry);
        try
        {
            await lease.WaitAsync(forGeneration, options.QueueSize, ct);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>The original's warm-up: loads the model (or waits for its load) without taking a slot, then lets it go.</summary>
    public async Task WarmUpAsync(ResolvedModel model, CancellationToken ct)
    {
        await using (await AcquireAsync(model, forGeneration: false, ct))
        {
        }
    }

    /// <summary>A snapshot of every model in the table (loading or loaded), in name order.</summary>
    public IReadOnlyList<ResidentSnapshot> Snapshot()
    {
        lock (_lock)
        {
            return [.. _models.Values.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ResidentSnapshot(
                m.Key, m.Start.ModelType, m.IsLoaded ? m.Loading.Result : null, m.Parallel, m.BusySlots, m.Waiting, m.Users, m.EstimatedBytes, m.UnloadsAt))];
        }
    }

    /// <summary>The memory budget in bytes (0: none).</summary>
    public long MemoryBudgetBytes => options.MemoryBudgetBytes;

    // Finds or creates the model's entry and pins it (Users + 1). With the memory budget spent (or MaxModels resident)
    // spent, and nothing idle to unload, waits.
    private async Task<ResidentModel> ReserveAsync(ResolvedModel model, CancellationToken ct)
    {
        long? need = null;
        while (true)
        {
            Task roomFreed;
            lock (_lock)
            {
                if (_disposed)
                    throw new ApiException(ErrorTable.ShuttingDown());
                if (_models.TryGetValue(model.Key, out var existing))
                {
                    // A runner that died while idle is replaced now, not after a request fails on it.
                    if (existing.Loading.IsCompletedSuccessfully && existing.Loading.Result.HasExited)
                    {
                        RetireLocked(existing);
                    }
                    else
                    {
                        Pin(existing);
                        return existing;
                    }
                }
                if (need is null)
                {
                    // Reads the GGUF header: done once per load, outside the lock's hot path for loaded models.
                    need = MemoryEstimate.Of(model.Stored, model.Quant, model.Start);
                }
                var budget = options.MemoryBudgetBytes;
                if (budget > 0 && need > budget)
                    throw new ApiException(ErrorTable.OverMemoryBudget(model.Key, need.Value, budget));
                var evictions = new List<Task>();
                while (!HasRoomLocked(need.Value))
                {
                    var victim = _models.Values.Where(m => m.Users == 0 && m.IsLoaded).MinBy(m => m.LastUsed);
                    if (victim is null)
                        break;
                    log.LogInformation("unloading {Model} to make room for {Next}", victim.Key, model.Key);
                    RetireLocked(victim);
                    evictions.Add(victim.Unloading ?? Task.CompletedTask);
                }
                if (HasRoomLocked(need.Value))
                {
                    var evicted = Task.WhenAll(evictions);
                    // An image pipeline runs one generation at a time (the engine's own lock): one slot, the rest queue.
                    var slots = model.ModelType == Nexa.Hub.Store.ModelTypes.ImageGen ? 1 : options.Parallel;
                    var entry = new ResidentModel(model.Key, model.Start, slots, need.Value, e => LoadAsync(e, evicted));
                    Pin(entry);
                    _models[entry.Key] = entry;
                    return entry;
                }
                if (_waitingForRoom >= options.QueueSize)
                    throw new ApiException(ErrorTable.QueueFull($"{_models.Count} models are loaded and busy, and {_waitingForRoom} requests wait for one to be free"));
                _waitingForRoom++;
                roomFreed = _roomFreed.Task;
            }
            try
            {
                await roomFreed.WaitAsync(ct);
            }
            finally
            {
                lock (_lock)
                    _waitingForRoom--;
            }
        }
    }

    // The budget decides; the model count only when the operator capped it.
    private bool HasRoomLocked(long need) =>
        (options.MaxModels is not { } max || _models.Count < max)
        && (options.MemoryBudgetBytes <= 0 || _models.Values.Sum(m => m.EstimatedBytes) + need <= options.MemoryBudgetBytes);

    private async Task<ILoadedModel> LoadAsync(ResidentModel entry, Task evicted)
    {
        // The evicted model's memory comes back before the next one takes its place.
        await evicted;
        try
        {
            log.LogInformation("loading {Model}", entry.Key);
            var model = await launcher.LaunchAsync(entry.Start, _stopping.Token);
            log.LogInformation("loaded {Model}", entry.Key);
            return model;
        }
        catch (Exception e)
        {
            Retire(entry);
            if (e is EngineException or OperationCanceledException)
                throw;
            throw new EngineException(EngineErrorKind.LoadFailed, $"could not load {entry.Key}: {e.Message}", inner: e);
        }
    }

    /// <summary>A lease is given back: the model becomes idle when no one else holds it.</summary>
    internal void Release(ResidentModel entry)
    {
        lock (_lock)
        {
            entry.Users--;
            entry.LastUsed = time.GetTimestamp();
            if (entry.Users > 0)
                return;
            if (entry.Retired)
                StartUnloadLocked(entry);
            else if (options.KeepAliveSeconds == 0)
                RetireLocked(entry);
            else if (options.KeepAliveSeconds > 0)
                StartIdleTimerLocked(entry);
        }
        SignalRoom();
    }

    /// <summary>Drops a model from the table (its runner crashed, or its load failed); it unloads once no request holds it.</summary>
    internal void Retire(ResidentModel entry)
    {
        lock (_lock)
            RetireLocked(entry);
        SignalRoom();
    }

    private void Pin(ResidentModel entry)
    {
        entry.Users++;
        entry.UnloadsAt = null;
        entry.IdleTimer?.Dispose();
        entry.IdleTimer = null;
        entry.IdleGeneration++;
    }

    private void StartIdleTimerLocked(ResidentModel entry)
    {
        var generation = ++entry.IdleGeneration;
        entry.UnloadsAt = time.GetUtcNow().AddSeconds(options.KeepAliveSeconds);
        entry.IdleTimer?.Dispose();
        entry.IdleTimer = time.CreateTimer(_ => OnIdle(entry, generation), null, TimeSpan.FromSeconds(options.KeepAliveSeconds), Timeout.InfiniteTimeSpan);
    }

    private void OnIdle(ResidentModel entry, int generation)
    {
        lock (_lock)
        {
            if (entry.Retired || entry.Users > 0 || entry.IdleGeneration != generation)
                return;
            log.LogInformation("unloading {Model}: idle for {Seconds} s", entry.Key, options.KeepAliveSeconds);
            RetireLocked(entry);
        }
        SignalRoom();
    }

    private void RetireLocked(ResidentModel entry)
    {
        if (!entry.Retired)
        {
            entry.Retired = true;
            entry.IdleTimer?.Dispose();
            entry.IdleTimer = null;
            if (_models.TryGetValue(entry.Key, out var current) && current == entry)
                _models.Remove(entry.Key);
        }
        if (entry.Users == 0)
            StartUnloadLocked(entry);
    }

    private void StartUnloadLocked(ResidentModel entry) =>
        entry.Unloading ??= Task.Run(() => UnloadAsync(entry), CancellationToken.None);

    private async Task UnloadAsync(ResidentModel entry)
    {
        ILoadedModel model;
        try
        {
            model = await entry.Loading;
        }
        catch (Exception)
        {
            return; // never loaded: nothing to free
        }
        try
        {
            await model.DisposeAsync();
            log.LogInformation("unloaded {Model}", entry.Key);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "unloading {Model} failed", entry.Key);
        }
    }

    // Wakes every request waiting for room; each re-checks under the lock.
    private void SignalRoom()
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            signal = _roomFreed;
            _roomFreed = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Unloads every model (their runners end); loads in flight are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task> unloads;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            var all = _models.Values.ToList();
            foreach (var entry in all)
            {
                RetireLocked(entry);
                StartUnloadLocked(entry);
            }
            unloads = [.. all.Select(e => e.Unloading!)];
        }
        await _stopping.CancelAsync();
        await Task.WhenAll(unloads);
        SignalRoom();
    }
}
