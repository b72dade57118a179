using Nexa.Server.Hosting;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>After a request that leaves the heap large, the server gives the memory back: once per interval, the last spike included.</summary>
public sealed class MemoryTrimmerTests
{
    [Fact]
    public void A_large_heap_after_a_request_is_collected_once_per_interval_and_the_last_spike_too()
    {
        var time = new ManualTimeProvider();
        using var trimmer = new MemoryTrimmer(time);
        var spike = new byte[MemoryTrimmer.ThresholdBytes + (1 << 20)];

        trimmer.AfterRequest();
        time.Advance(TimeSpan.Zero);
        Assert.Equal(1, trimmer.Trims);

        trimmer.AfterRequest();
        trimmer.AfterRequest();
        time.Advance(TimeSpan.Zero);
        Assert.Equal(1, trimmer.Trims); // within the interval: deferred, not run again at once

        time.Advance(MemoryTrimmer.Interval);
        Assert.Equal(2, trimmer.Trims); // …and run when the interval ends
        GC.KeepAlive(spike);
    }
}
