using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Nexa.Engine.Text;

namespace Nexa.Runner.Client;

/// <summary>
/// One runner child process: started with stdin held open (closing it asks the runner to exit), its stdout and
/// stderr read continuously into a <see cref="RunnerLog"/> (an unread pipe would block the runner once full).
/// </summary>
internal sealed class RunnerProcess : IDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMilliseconds(500);

    private readonly Process _process;
    private readonly Action<string>? _forward;
    private readonly Task _readers;

    private RunnerProcess(Process process, RunnerLog log, Action<string>? forward)
    {
        _process = process;
        _forward = forward;
        Log = log;
        Id = process.Id;
        _readers = Task.WhenAll(ReadLinesAsync(process.StandardError), ReadLinesAsync(process.StandardOutput));
        Exited = WatchAsync();
    }

    public int Id { get; }

    public RunnerLog Log { get; }

    /// <summary>Completes once the process has exited and what it wrote last has been read.</summary>
    public Task Exited { get; }

    /// <summary>True as soon as the OS has reaped the process, before its last output is drained (Exited may lag ~0.5 s).</summary>
    public bool HasExited
    {
        get
        {
            if (Exited.IsCompleted)
                return true;
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Null while it runs; 128 + N when signal N ended it.</summary>
    public int? ExitCode { get; private set; }

    public static RunnerProcess Start(IReadOnlyList<string> commandLine, int logLines, Action<string>? forward)
    {
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in commandLine.Skip(1))
            startInfo.ArgumentList.Add(argument);
        // ggml prints a gdb backtrace on abort otherwise: slow, noisy, and it buries the reason.
        startInfo.Environment["GGML_NO_BACKTRACE"] = "1";
        try
        {
            var process = Process.Start(startInfo) ?? throw new Win32Exception("no process was started");
            return new RunnerProcess(process, new RunnerLog(logLines), forward);
        }
        catch (Win32Exception e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot start a runner ({string.Join(' ', commandLine)}): {e.Message}", inner: e);
        }
    }

    /// <summary>"exit code 3", "killed by SIGKILL (exit code 137)".</summary>
    public string DescribeExit() => ExitCode switch
    {
        null => "still running",
        > 128 and < 160 and var code when SignalName(code - 128) is { } signal => $"killed by {signal} (exit code {code})",
        var code => $"exit code {code}",
    };

    /// <summary>Asks it to exit (stdin closes), waits up to <paramref name="grace"/>, then kills it and its children.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        if (grace > TimeSpan.Zero && await CompletesWithinAsync(Exited, grace))
            return;
        Kill();
        await CompletesWithinAsync(Exited, TimeSpan.FromSeconds(5));
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    public void Dispose() => _process.Dispose();

    public static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task WatchAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None);
        // A grandchild that inherited the pipes would hold them open forever: bounded.
        await CompletesWithinAsync(_readers, DrainTimeout);
        ExitCode = _process.ExitCode;
    }

    private async Task ReadLinesAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                Log.Add(line);
                _forward?.Invoke(line);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private static string? SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => null,
    };
}
