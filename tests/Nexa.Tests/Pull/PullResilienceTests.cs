using System.Diagnostics;
using System.Text.Json;

namespace Nexa.Tests.Pull;

public class PullResilienceTests : PullTestBase
{
    [Fact]
    public async Task A_dropped_connection_is_resumed_with_a_range_request()
    {
        var model = ChatModelBytes(embeddingLength: 128);
        Hub.AddFile("org/m", "m-Q8_0.gguf", model);
        Hub.DropConnectionAfter("org/m", "m-Q8_0.gguf", model.Length / 3);

        var pull = await Nexa("pull", "org/m", "--connections", "1");

        Assert.Equal(0, pull.ExitCode);
        Assert.Equal(Sha256Of(model), Sha256OfFile(StoredFile("org/m", "m-Q8_0.gguf")));
        Assert.Contains(Hub.Requests, r => r.Range is { } range && range.StartsWith("bytes=") && !range.StartsWith("bytes=0-"));
        Assert.Contains("retrying from byte", pull.Out);
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        var model = ChatModelBytes();
        Hub.AddFile("org/m", "m-Q8_0.gguf", model);
        Hub.FailNext("org/m", "m-Q8_0.gguf", 503, times: 2);

        var pull = await Nexa("pull", "org/m");

        Assert.Equal(0, pull.ExitCode);
        Assert.Contains("503", pull.Out);
        Assert.Equal(Sha256Of(model), Sha256OfFile(StoredFile("org/m", "m-Q8_0.gguf")));
    }

    [Fact]
    public async Task A_corrupted_body_is_rejected_and_leaves_nothing_listed()
    {
        Hub.AddFile("org/m", "m-Q8_0.gguf", ChatModelBytes());
        Hub.ServeCorruptBody("org/m", "m-Q8_0.gguf");

        var pull = await Nexa("pull", "org/m");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("corrupt", pull.Error);
        Assert.Contains("SHA-256", pull.Error);
        Assert.Empty(Store.List());
        Assert.False(File.Exists(StoredFile("org/m", "m-Q8_0.gguf")));
        Assert.False(File.Exists(StoredFile("org/m", "m-Q8_0.gguf.partial")));
    }

    [Fact]
    public async Task A_killed_pull_resumes_without_downloading_finished_bytes_again()
    {
        var model = ChatModelBytes(embeddingLength: 256);
        Hub.AddFile("org/big", "big-Q8_0.gguf", model);
        Hub.Throttle("org/big", "big-Q8_0.gguf", bytesPerSecond: model.Length / 8);
        var state = StoredFile("org/big", "big-Q8_0.gguf.partial.json");

        // A real `nexa pull` process, killed with SIGKILL once its progress file shows some bytes.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "nexa.dll"), "--data-dir", Dir["data"], "pull", "org/big", "--connections", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HF_ENDPOINT"] = Hub.Endpoint;
        using var child = Process.Start(start)!;
        _ = child.StandardOutput.ReadToEndAsync();
        _ = child.StandardError.ReadToEndAsync();
        long recorded = 0;
        var deadline = Stopwatch.StartNew();
        while (recorded < model.Length / 8 && deadline.Elapsed < TimeSpan.FromSeconds(30) && !child.HasExited)
        {
            await Task.Delay(100);
            recorded = DownloadedIn(state);
        }
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        Assert.InRange(recorded, 1, model.Length - 1);
        Assert.Empty(Store.List());

        Hub.Throttle("org/big", "big-Q8_0.gguf", bytesPerSecond: 0);
        // The hub may still push a chunk into the dead connection's socket before it notices: wait until its count settles.
        var servedBefore = Hub.BodyBytesServed("org/big", "big-Q8_0.gguf");
        for (var settle = Stopwatch.StartNew(); settle.Elapsed < TimeSpan.FromSeconds(5);)
        {
            await Task.Delay(300);
            var now = Hub.BodyBytesServed("org/big", "big-Q8_0.gguf");
            if (now == servedBefore)
                break;
            servedBefore = now;
        }
        var pull = await Nexa("pull", "org/big");

        Assert.Equal(0, pull.ExitCode);
        Assert.Contains("resuming big-Q8_0.gguf", pull.Out);
        var servedAfterResume = Hub.BodyBytesServed("org/big", "big-Q8_0.gguf") - servedBefore;
        Assert.InRange(servedAfterResume, 1, model.Length - recorded);
        Assert.Equal(Sha256Of(model), Sha256OfFile(StoredFile("org/big", "big-Q8_0.gguf")));
        Assert.False(File.Exists(state));
    }

    [Fact]
    public async Task Two_pulls_of_one_model_at_once_download_it_once_and_leave_the_store_whole()
    {
        var model = ChatModelBytes(embeddingLength: 128);
        Hub.AddFile("org/m", "m-Q8_0.gguf", model);
        Hub.Throttle("org/m", "m-Q8_0.gguf", bytesPerSecond: model.Length * 2);

        var results = await Task.WhenAll(Nexa("pull", "org/m"), Nexa("pull", "org/m"));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Single(results, r => r.Out.Contains("already pulled"));
        Assert.Single(results, r => r.Out.Contains("is pulling org/m; waiting"));
        Assert.Equal(model.Length, Hub.BodyBytesServed("org/m", "m-Q8_0.gguf"));
        Assert.Single(Store.List());
        Assert.Equal(Sha256Of(model), Sha256OfFile(StoredFile("org/m", "m-Q8_0.gguf")));
    }

    private static long DownloadedIn(string statePath)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(statePath));
            return json.RootElement.GetProperty("Chunks").EnumerateArray().Sum(c => c.GetProperty("Done").GetInt64());
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return 0;
        }
    }
}
