using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>Serves local files as hub repositories on 127.0.0.1 until Ctrl-C, to try `nexa pull` without the internet.</summary>
internal static class DemoHub
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var hub = await FakeHub.StartAsync();
        var added = new List<(string Repo, string File)>();
        var rate = 0;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--big-mb" && i + 1 < args.Length)
            {
                var mb = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                hub.AddGeneratedFile("demo/big", "big-Q8_0.gguf", mb << 20, seed: 1);
                added.Add(("demo/big", "big-Q8_0.gguf"));
                Console.WriteLine($"demo/big: big-Q8_0.gguf ({mb} MB, not a model: pull it to watch the progress bar, it fails at the GGUF check)");
                continue;
            }
            if (args[i] == "--rate-mb" && i + 1 < args.Length)
            {
                rate = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) << 20;
                continue;
            }
            var parts = args[i].Split('=', 2);
            if (parts.Length != 2 || !File.Exists(parts[1]))
            {
                Console.Error.WriteLine($"expected <org/repo>=<existing file>, got {args[i]}");
                return 2;
            }
            hub.AddFile(parts[0], Path.GetFileName(parts[1]), await File.ReadAllBytesAsync(parts[1]));
            added.Add((parts[0], Path.GetFileName(parts[1])));
            Console.WriteLine($"{parts[0]}: {Path.GetFileName(parts[1])}");
        }
        if (rate > 0)
        {
            foreach (var (repo, file) in added)
                hub.Throttle(repo, file, rate);
        }
        Console.WriteLine($"hub at {hub.Endpoint}  (HF_ENDPOINT={hub.Endpoint} ./nexa pull <org/repo>); Ctrl-C stops");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task;
        return 0;
    }
}
