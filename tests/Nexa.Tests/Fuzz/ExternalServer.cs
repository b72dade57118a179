using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// <c>nexa serve</c> in a process of its own, as a user runs it, with its
/// resident memory sampled every 50 ms from /proc: what the server process holds, without the test host's.
/// </summary>
public sealed class ExternalServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peak;

    private ExternalServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _sampler = Task.Run(SampleAsync);
    }

    public Uri Address { get; }

    /// <summary>The largest resident set seen (and the kernel's own high-water mark, whichever is larger).</summary>
    public long PeakRssBytes => Math.Max(Volatile.Read(ref _peak), Status("VmHWM:"));

    public long RssNowBytes => Status("VmRSS:");

    /// <param name="nexaDll">A nexa.dll built on its own (as the launcher script builds it): its runners need its own dependency list.</param>
    public static async Task<ExternalServer> StartAsync(string nexaDll, string dataDir)
    {
        var port = FreePort();
        List<string> commandLine = [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", nexaDll,
            "--data-dir", dataDir, "serve", "--host", $"127.0.0.1:{port}", "--ctx-size", "512", "--threads", "1"];
        var start = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in commandLine.Skip(1))
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("nexa serve did not start");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                using var health = await http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK)
                    return new ExternalServer(process, address);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("nexa serve did not answer /health within 30 s: " + string.Join('\n', log.TakeLast(20)));
    }

    /// <summary>The server's runner processes (its children), in pid order.</summary>
    public IReadOnlyList<int> RunnerPids() =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == _process.Id).Order()];

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var rss = Status("VmRSS:");
            if (rss > Volatile.Read(ref _peak))
                Volatile.Write(ref _peak, rss);
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long Status(string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _stop.Dispose();
    }
}
