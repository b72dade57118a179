using System.Runtime;

namespace Nexa.Server.Hosting;

/// <summary>
/// Gives memory back to the OS after a spike. Request bodies (up to the body limit), image bytes (up to
/// <c>ImageLimits.MaxBytesPerRequest</c>) and their JSON text land on the large object heap, which the runtime collects
/// only in a full collection and, left alone, keeps committed afterwards: measured under a fuzz, the server kept
/// hundreds of MB it no longer used. After a request that leaves the heap above <see cref="ThresholdBytes"/>, one full,
/// compacting collection returns it, at most once per <see cref="Interval"/> and off the request's thread.
/// </summary>
internal sealed class MemoryTrimmer(TimeProvider time)
{
    public const long ThresholdBytes = 64L << 20;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _lastTrim = long.MinValue / 2;
    private int _running;

    /// <summary>Full collections run so far (for tests).</summary>
    public int Trims => Volatile.Read(ref _trims);

    private int _trims;

    public void AfterRequest()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) < ThresholdBytes)
            return;
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Volatile.Read(ref _lastTrim), now) < Interval || Interlocked.Exchange(ref _running, 1) == 1)
            return;
        Volatile.Write(ref _lastTrim, now);
        _ = Task.Run(() =>
        {
            try
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                // Aggressive: compacts and decommits what the heap no longer needs, instead of keeping it for later.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                Interlocked.Increment(ref _trims);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        });
    }
}
