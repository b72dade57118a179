using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Hub;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>
/// One stream's decode speed through the whole server (HTTP → server → gRPC → runner → llama.cpp → SSE) next to the
/// same model in this process (what `nexa infer` runs), in the same run, on the same file: the ratio is our overhead.
/// </summary>
internal static class ChatBenchmark
{
    public static async Task<int> RunAsync(Options options)
    {
        NativeLogging.Configure(verbose: false, sink: null);
        var work = Directory.CreateTempSubdirectory("nexa-bench-chat-").FullName;
        var rows = new List<Row>();
        try
        {
            var store = new ModelStore(Path.Combine(work, "data"));
            foreach (var embedding in options.Embeddings)
            {
                var file = TinyModels.WriteChatModel(Path.Combine(work, $"bench-e{embedding}-F32.gguf"), seed: 1, embeddingLength: embedding);
                var name = ModelName.Parse($"bench/e{embedding}");
                await new LocalImporter(store, NullPullProgress.Instance).ImportAsync(name, file, null, CancellationToken.None);
                var label = $"llama 2 blocks, embd {embedding}, {new FileInfo(file).Length >> 20} MB";
                Console.WriteLine($"{label}: {options.Tokens} tokens per run, {options.Runs} runs, threads {options.Threads}");

                var inProcess = await InProcessAsync(file, options);
                var http = await ThroughServerAsync(store, name, options);
                rows.Add(new Row(label, "in-process (nexa infer)", inProcess));
                rows.Add(new Row(label, "HTTP stream (nexa serve)", http));
            }
        }
        finally
        {
            Directory.Delete(work, true);
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"model",-34} {"path",-26} {"decode tok/s",13} {"first token ms",15} {"ratio",7}");
        foreach (var group in rows.GroupBy(r => r.Model))
        {
            var reference = group.First().Median.TokensPerSecond;
            foreach (var row in group)
                table.AppendLine(CultureInfo.InvariantCulture, $"{row.Model,-34} {row.Path,-26} {row.Median.TokensPerSecond,13:0.0} {row.Median.FirstTokenMs,15:0.0} {row.Median.TokensPerSecond / reference,6:0.00}x");
        }
        Console.Write(table);
        Directory.CreateDirectory(options.OutDir);
        var json = Path.Combine(options.OutDir, $"chat-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(rows.Select(r => new
        {
            model = r.Model,
            path = r.Path,
            runs = r.Runs.Select(x => new { tokens_per_second = x.TokensPerSecond, first_token_ms = x.FirstTokenMs }),
            median_tokens_per_second = r.Median.TokensPerSecond,
            median_first_token_ms = r.Median.FirstTokenMs,
        }), new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {json}");
        return 0;
    }

    private static async Task<Run[]> InProcessAsync(string file, Options options)
    {
        await using var model = await TextModel.LoadAsync(file, new EngineOptions { ContextSize = 2048, Threads = options.Threads }, CancellationToken.None);
        return await Repeat(options.Runs, async () =>
        {
            var clock = Stopwatch.StartNew();
            TimeSpan? first = null;
            var count = 0;
            await foreach (var ev in model.GenerateAsync(Request(options), CancellationToken.None))
            {
                if (ev is TextDelta)
                    first ??= clock.Elapsed;
                if (ev is GenerationFinished done)
                    count = done.CompletionTokens;
            }
            return Measure(count, first ?? clock.Elapsed, clock.Elapsed);
        });
    }

    private static async Task<Run[]> ThroughServerAsync(ModelStore store, ModelName name, Options options)
    {
        await using var server = await NexaServer.StartAsync(new ServerOptions
        {
            DataDir = store.DataDir,
            Host = "127.0.0.1:0",
            ContextSize = 2048,
            Threads = options.Threads,
        }, new RunnerLauncher(), CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var body = new
        {
            model = name.Id,
            messages = new[] { new { role = "user", content = "Tell me a long story." } },
            max_tokens = options.Tokens,
            temperature = 0,
            ignore_eos = true,
            stream = true,
            stream_options = new { include_usage = true },
        };
        return await Repeat(options.Runs, async () =>
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            TimeSpan? first = null;
            var count = 0;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                    continue;
                using var json = JsonDocument.Parse(line[6..]);
                if (json.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    count = usage.GetProperty("completion_tokens").GetInt32();
                else if (json.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 })
                    first ??= clock.Elapsed;
            }
            return Measure(count, first ?? clock.Elapsed, clock.Elapsed);
        });
    }

    private static ChatRequest Request(Options options) => new()
    {
        Messages = [new ChatMessage("user", "Tell me a long story.")],
        MaxTokens = options.Tokens,
        IgnoreEos = true,
        Sampling = new SamplingOptions { Temperature = 0 },
    };

    // Decode speed excludes the first token (prefill), as llama.cpp's own timings do.
    private static Run Measure(int tokens, TimeSpan first, TimeSpan total) =>
        new(tokens > 1 ? (tokens - 1) / (total - first).TotalSeconds : 0, first.TotalMilliseconds);

    private static async Task<Run[]> Repeat(int runs, Func<Task<Run>> once)
    {
        await once(); // warm-up: runner start, JIT, page cache
        var results = new Run[runs];
        for (var i = 0; i < runs; i++)
            results[i] = await once();
        return results;
    }

    private sealed record Run(double TokensPerSecond, double FirstTokenMs);

    private sealed record Row(string Model, string Path, Run[] Runs)
    {
        public Run Median => Runs.OrderBy(r => r.TokensPerSecond).ElementAt(Runs.Length / 2);
    }
}
