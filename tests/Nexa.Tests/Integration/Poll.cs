namespace Nexa.Tests.Integration;

/// <summary>Bounded waits for things that happen in the background (a runner exiting, a model unloading).</summary>
public static class Poll
{
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? RealServer.Bound).TotalMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
                Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
