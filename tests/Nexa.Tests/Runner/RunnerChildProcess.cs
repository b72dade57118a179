using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Nexa.Runner.Client;
using Nexa.Runner.Protos;

namespace Nexa.Tests.Runner;

/// <summary>A fake engine's runner (tests/Nexa.FakeRunner) started by hand, as the launcher would, for tests of the runner's own lifetime.</summary>
internal sealed class RunnerChildProcess : IDisposable
{
    private readonly StringBuilder _stderr = new();

    private RunnerChildProcess(Process process, string socketPath)
    {
        Process = process;
        SocketPath = socketPath;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
                _stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string SocketPath { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    public static RunnerChildProcess Start(string modelPath, string socketPath)
    {
        var commandLine = FakeRunnerCommand.Line;
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in commandLine.Skip(1).Concat(["--model", modelPath, "--socket", socketPath]))
            startInfo.ArgumentList.Add(argument);
        return new RunnerChildProcess(Process.Start(startInfo)!, socketPath);
    }

    /// <summary>Asks the runner at <paramref name="socketPath"/> what it serves; retries until it answers.</summary>
    public static async Task<InfoReply> InfoAsync(string socketPath, TimeSpan timeout, Process? unlessExited = null)
    {
        using var channel = RunnerSockets.CreateChannel(socketPath);
        var client = new ModelRunner.ModelRunnerClient(channel);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await client.InfoAsync(new InfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            }
            catch (RpcException) when (clock.Elapsed < timeout && unlessExited is not { HasExited: true })
            {
                await Task.Delay(20);
            }
        }
    }

    public Task<InfoReply> WaitReadyAsync(TimeSpan timeout) => InfoAsync(SocketPath, timeout, Process);

    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
