using System.Runtime;

namespace Nexa.Server.Hosting;

/// <summary>
/// Gives memory back to the OS after a spike. Request bodies (up to the body limit), image bytes (up to
/// <c>ImageLimits.MaxBytesPerRequest</c>) and their JSON text land on the large object heap, which the runtime collects
/// only in a full collection and, left alone, keeps committed afterwards: measured under a fuzz, the server kept
/// hundreds of MB it no longer used. After a request that leaves the heap above <see cref="ThresholdBytes"/>, one full,
/// compacting collection returns it, off the request's thread and at most once per <see cref="Interval"/>; a request
/// that comes within the interval gets its collection when the interval ends, so the last spike is always returned.
/// </summary>
internal sealed class MemoryTrimmer(TimeProvider time) : IDisposable
{
    public const long ThresholdBytes = 64L << 20;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long? _lastTrim;
    private ITimer? _deferred;
    private bool _disposed;
    private int _trims;

    /// <summary>Full collections run so far.</summary>
    public int Trims => Volatile.Read(ref _trims);

    public void AfterRequest()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) < ThresholdBytes)
            return;
        lock (_lock)
        {
            if (_disposed || _deferred is not null)
                return;
            var wait = _lastTrim is { } last ? Interval - time.GetElapsedTime(last) : TimeSpan.Zero;
            _deferred = time.CreateTimer(_ => Trim(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void Trim()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        // Aggressive: compacts and decommits what the heap no longer needs, instead of keeping it for later.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _trims);
        lock (_lock)
        {
            _lastTrim = time.GetTimestamp();
            _deferred?.Dispose();
            _deferred = null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _deferred?.Dispose();
            _deferred = null;
        }
    }
}
