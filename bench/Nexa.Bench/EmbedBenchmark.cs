using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Nexa.Hub;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>
/// Embeddings per second through `nexa serve` for 256 short inputs on a MiniLM-sized BERT (6 layers, 384 wide, 12 heads,
/// random weights): one request carrying all inputs (batched into shared decodes) next to one request per input.
/// </summary>
internal static class EmbedBenchmark
{
    public static async Task<int> RunAsync(Options options)
    {
        const int inputs = 256;
        var work = Directory.CreateTempSubdirectory("nexa-bench-embed-").FullName;
        try
        {
            var store = new ModelStore(Path.Combine(work, "data"));
            var file = TinyBertModels.WriteEmbeddingModel(Path.Combine(work, "minilm-F32.gguf"), hiddenSize: 384, layers: 6, heads: 12);
            var name = ModelName.Parse("bench/minilm");
            await new LocalImporter(store, NullPullProgress.Instance).ImportAsync(name, file, null, CancellationToken.None);
            await using var server = await NexaServer.StartAsync(new ServerOptions { DataDir = store.DataDir, Host = "127.0.0.1:0", Threads = options.Threads },
                new RunnerLauncher(), CancellationToken.None);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            string[] words = ["the", "cat", "is", "playing", "with", "a", "dog", "in", "the", "garden", "today", "and", "it", "is", "happy"];
            var texts = Enumerable.Range(0, inputs).Select(i => string.Join(' ', Enumerable.Range(0, 8).Select(j => words[(i * 7 + j * 3) % words.Length]))).ToArray();

            async Task Embed(object input)
            {
                using var response = await http.PostAsJsonAsync("v1/embeddings", new { model = name.Id, input });
                response.EnsureSuccessStatusCode();
            }

            await Embed(texts); // warm-up: runner start, JIT
            var batched = new List<double>();
            var single = new List<double>();
            for (var run = 0; run < options.Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                await Embed(texts);
                batched.Add(inputs / clock.Elapsed.TotalSeconds);
                clock.Restart();
                foreach (var text in texts)
                    await Embed(text);
                single.Add(inputs / clock.Elapsed.TotalSeconds);
            }
            var b = batched.Order().ElementAt(batched.Count / 2);
            var s = single.Order().ElementAt(single.Count / 2);
            Console.WriteLine($"MiniLM-sized BERT (6 layers, 384 wide), {inputs} inputs of 8 words (~10 tokens), {options.Threads} threads, median of {options.Runs}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"one request, 256 inputs",-30} {b,10:0.0} embeddings/s  {b / s,5:0.00}x"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"256 requests, 1 input each",-30} {s,10:0.0} embeddings/s  1.00x"));
            Directory.CreateDirectory(options.OutDir);
            var json = Path.Combine(options.OutDir, $"embed-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { inputs, threads = options.Threads, batched_per_second = batched, single_per_second = single }));
            Console.WriteLine($"wrote {json}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
