using System.Diagnostics;
using Nexa.Engine.Text;
using Nexa.FakeRunner;
using Xunit.Abstractions;

namespace Nexa.Tests.Runner;

public sealed class RunnerCrashTests(ITestOutputHelper output) : RunnerTestBase
{
    /// <summary>Loose on purpose (2 shared cores); the measured figure is printed.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Killed_runner_fails_its_stream_as_crashed_at_once_and_a_new_launch_works()
    {
        var runner = await LaunchAsync();
        var socketPath = runner.SocketPath;
        using var timeout = new CancellationTokenSource(Bound);
        var received = 0;
        var clock = new Stopwatch();

        var e = await Assert.ThrowsAsync<EngineException>(async () =>
        {
            await foreach (var generationEvent in runner.GenerateAsync(Ask(FakeChatModel.Magic.Slow), timeout.Token))
            {
                if (generationEvent is TextDelta && ++received == 3)
                {
                    clock.Start();
                    Process.GetProcessById(runner.ProcessId).Kill();
                }
            }
        });
        clock.Stop();
        output.WriteLine($"crash seen by the client {clock.Elapsed.TotalMilliseconds:0.0} ms after SIGKILL");

        Assert.Equal(EngineErrorKind.Crashed, e.Kind);
        Assert.Contains("fake.gguf", e.Message);
        Assert.Contains("SIGKILL", e.Message);
        Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
        Assert.True(runner.HasExited);
        Assert.True(runner.Exited.IsCompleted);
        await runner.Exited.WaitAsync(Bound);
        Assert.False(File.Exists(socketPath));

        var fresh = await LaunchAsync();
        Assert.NotEqual(runner.ProcessId, fresh.ProcessId);
        Assert.Equal("back again", Text(await CollectAsync(fresh, Ask("back again")).WaitAsync(Bound)));
    }

    [Fact]
    public async Task Native_abort_mid_stream_is_reported_as_crashed_with_the_runners_last_words()
    {
        var runner = await LaunchAsync();
        var deltas = new List<string>();

        var e = await Assert.ThrowsAsync<EngineException>(async () =>
        {
            await foreach (var generationEvent in runner.GenerateAsync(Ask(FakeChatModel.Magic.Crash), CancellationToken.None))
            {
                if (generationEvent is TextDelta delta)
                    deltas.Add(delta.Text);
            }
        }).WaitAsync(Bound);

        output.WriteLine(e.Message);
        Assert.Equal(["about", " to"], deltas);
        Assert.Equal(EngineErrorKind.Crashed, e.Kind);
        Assert.Contains("SIGABRT", e.Message);
        Assert.Contains("simulated native abort", e.Message);
        Assert.True(runner.HasExited);
    }

    [Fact]
    public async Task Call_to_a_runner_that_already_died_fails_at_once_as_crashed()
    {
        var runner = await LaunchAsync();
        Process.GetProcessById(runner.ProcessId).Kill();
        await runner.Exited.WaitAsync(Bound);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<EngineException>(() => CollectAsync(runner, Ask("hello")).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.Crashed, e.Kind);
        Assert.Contains("stopped (killed by SIGKILL", e.Message);
        Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
    }
}
