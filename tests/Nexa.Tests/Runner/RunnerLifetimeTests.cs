using System.Diagnostics;
using Nexa.Engine.Text;
using Nexa.FakeRunner;
using Nexa.Runner.Host;
using Xunit.Abstractions;

namespace Nexa.Tests.Runner;

public sealed class RunnerLifetimeTests(ITestOutputHelper output) : RunnerTestBase
{
    [Fact]
    public async Task Cancelling_mid_stream_frees_the_runner_for_the_next_request_at_once()
    {
        // One slot: the next request waits until the cancelled generation has really stopped.
        var runner = await LaunchAsync(new EngineOptions { Parallel = 1 });
        using var cancel = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var generationEvent in runner.GenerateAsync(Ask(FakeChatModel.Magic.Slow), cancel.Token))
            {
                if (generationEvent is TextDelta && ++received == 3)
                    await cancel.CancelAsync();
            }
        }).WaitAsync(Bound);
        var clock = Stopwatch.StartNew();
        var next = await CollectAsync(runner, Ask("right after")).WaitAsync(Bound);
        output.WriteLine($"next request done {clock.Elapsed.TotalMilliseconds:0.0} ms after the cancel");

        Assert.Equal("right after", Text(next));
        // The slow one would hold the slot for minutes.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.False(runner.HasExited);
    }

    [Fact]
    public async Task Disposing_the_client_ends_the_runner_gracefully_and_removes_its_socket()
    {
        var runner = await LaunchAsync();
        using var process = Process.GetProcessById(runner.ProcessId);

        var clock = Stopwatch.StartNew();
        await runner.DisposeAsync().AsTask().WaitAsync(Bound);
        output.WriteLine($"runner ended {clock.Elapsed.TotalMilliseconds:0} ms after dispose");

        Assert.True(process.HasExited);
        Assert.True(runner.HasExited);
        Assert.Equal(RunnerExitCodes.Ok, runner.ExitCode); // it left on its own: stdin closed, no kill needed
        Assert.False(File.Exists(runner.SocketPath));
    }

    [Fact]
    public async Task Runner_exits_when_its_stdin_closes()
    {
        using var runner = RunnerChildProcess.Start(ModelPath, Dir["r.sock"]);
        await runner.WaitReadyAsync(Bound);

        runner.Process.StandardInput.Close();

        await runner.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(RunnerExitCodes.Ok, runner.Process.ExitCode);
        Assert.False(File.Exists(runner.SocketPath));
    }

    [Fact]
    public async Task Runner_exits_on_sigterm()
    {
        using var runner = RunnerChildProcess.Start(ModelPath, Dir["r.sock"]);
        await runner.WaitReadyAsync(Bound);

        using (var kill = Process.Start("kill", ["-TERM", runner.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync().WaitAsync(Bound);

        await runner.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(RunnerExitCodes.Ok, runner.Process.ExitCode);
    }

    [Fact]
    public async Task Runner_replaces_the_stale_socket_of_a_killed_runner()
    {
        var socketPath = Dir["shared.sock"];
        using (var first = RunnerChildProcess.Start(ModelPath, socketPath))
        {
            await first.WaitReadyAsync(Bound);
            first.Process.Kill();
            await first.Process.WaitForExitAsync().WaitAsync(Bound);
        }
        Assert.True(File.Exists(socketPath));

        using var second = RunnerChildProcess.Start(ModelPath, socketPath);
        var info = await second.WaitReadyAsync(Bound);

        Assert.Equal(second.Process.Id, info.ProcessId);
    }

    [Fact]
    public async Task Runner_refuses_a_socket_another_runner_listens_on()
    {
        var socketPath = Dir["busy.sock"];
        using var first = RunnerChildProcess.Start(ModelPath, socketPath);
        await first.WaitReadyAsync(Bound);

        using var second = RunnerChildProcess.Start(ModelPath, socketPath);
        await second.Process.WaitForExitAsync().WaitAsync(Bound);

        Assert.Equal(RunnerExitCodes.ListenFailed, second.Process.ExitCode);
        Assert.Contains("another process is listening", second.Stderr);
        Assert.Equal(first.Process.Id, (await RunnerChildProcess.InfoAsync(socketPath, Bound)).ProcessId);
    }
}
