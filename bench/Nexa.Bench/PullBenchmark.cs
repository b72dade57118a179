using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>
/// `nexa pull` of one large GGUF from a fake hub on 127.0.0.1 (real HTTP, the hub's redirect to a blob route),
/// next to `curl -L` of the same URL: to /dev/null (the network's limit) and to a file (the same disk work,
/// without hashing). nexa's time includes process start, the hub API calls, SHA-256 verification and the manifest.
/// </summary>
internal static class PullBenchmark
{
    public static async Task<int> RunAsync(Options options)
    {
        var size = options.SizeMb << 20;
        Console.WriteLine($"pull benchmark: {options.SizeMb} MB file, {options.Runs} runs, {options.Connections} connections, {Environment.ProcessorCount} cores");
        await using var hub = await FakeHub.StartAsync();
        var bytes = BigGguf(size);
        hub.AddFile("bench/big", "big-F32.gguf", bytes);
        var url = $"{hub.Endpoint}/bench/big/resolve/main/big-F32.gguf";
        var work = Directory.CreateTempSubdirectory("nexa-bench-").FullName;
        try
        {
            var nexaDll = Path.Combine(AppContext.BaseDirectory, "nexa.dll");
            var rows = new List<(string Name, double[] Seconds)>
            {
                ("curl -L -o /dev/null", await Repeat(options.Runs, () => Time("curl", ["-sSfL", "-o", "/dev/null", url]))),
                ("curl -L -o file", await Repeat(options.Runs, () => Time("curl", ["-sSfL", "-o", Path.Combine(work, "curl.out"), url]))),
                ($"nexa pull ({options.Connections} connections)", await Repeat(options.Runs, async () =>
                {
                    var data = Path.Combine(work, "data");
                    if (Directory.Exists(data))
                        Directory.Delete(data, true);
                    return await Time("dotnet", [nexaDll, "--data-dir", data, "pull", "bench/big", "--connections", options.Connections.ToString(CultureInfo.InvariantCulture)],
                        ("HF_ENDPOINT", hub.Endpoint));
                })),
                ("nexa pull (1 connection)", await Repeat(options.Runs, async () =>
                {
                    var data = Path.Combine(work, "data");
                    if (Directory.Exists(data))
                        Directory.Delete(data, true);
                    return await Time("dotnet", [nexaDll, "--data-dir", data, "pull", "bench/big", "--connections", "1"], ("HF_ENDPOINT", hub.Endpoint));
                })),
            };

            var reference = Median(rows[0].Seconds);
            var table = new StringBuilder();
            table.AppendLine(CultureInfo.InvariantCulture, $"{"",-32} {"median s",9} {"MB/s",8} {"vs curl /dev/null",18}");
            foreach (var (name, seconds) in rows)
            {
                var median = Median(seconds);
                table.AppendLine(CultureInfo.InvariantCulture, $"{name,-32} {median,9:0.000} {options.SizeMb / median,8:0} {reference / median,17:0.00}x");
            }
            Console.Write(table);

            Directory.CreateDirectory(options.OutDir);
            var json = Path.Combine(options.OutDir, $"pull-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new
            {
                benchmark = "pull",
                size_mb = options.SizeMb,
                runs = options.Runs,
                cores = Environment.ProcessorCount,
                results = rows.Select(r => new { name = r.Name, seconds = r.Seconds, median_s = Median(r.Seconds), mb_per_s = options.SizeMb / Median(r.Seconds), ratio_to_curl_devnull = reference / Median(r.Seconds) }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {json}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>A valid GGUF header (llama architecture, one F32 tensor) followed by random tensor data.</summary>
    private static byte[] BigGguf(long size)
    {
        var header = new MemoryStream();
        var w = new BinaryWriter(header, Encoding.UTF8);
        void Str(string s)
        {
            var b = Encoding.UTF8.GetBytes(s);
            w.Write((ulong)b.Length);
            w.Write(b);
        }
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write(1ul); // tensors
        w.Write(1ul); // metadata
        Str("general.architecture");
        w.Write(8u); // string
        Str("llama");
        var elements = (size - 4096) / 4;
        Str("blob");
        w.Write(1u);
        w.Write((ulong)elements);
        w.Write(0u); // F32
        w.Write(0ul);
        w.Flush();
        var dataStart = (header.Length + 31) / 32 * 32;
        var bytes = new byte[dataStart + elements * 4];
        header.ToArray().CopyTo(bytes, 0);
        new Random(42).NextBytes(bytes.AsSpan((int)dataStart));
        return bytes;
    }

    private static async Task<double[]> Repeat(int runs, Func<Task<double>> once)
    {
        await once(); // warm-up (JIT, page cache), not counted
        var results = new double[runs];
        for (var i = 0; i < runs; i++)
            results[i] = await once();
        return results;
    }

    private static async Task<double> Time(string file, string[] args, params (string Key, string Value)[] env)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env)
            start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        return seconds;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
