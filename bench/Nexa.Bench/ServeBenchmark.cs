using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nexa.Engine;
using Nexa.Hub;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>
/// `nexa serve` on a model with Qwen3-0.6B's exact shapes (random Q8_0 weights: speed depends on shapes only) next to
/// a bare LLamaSharp decode loop on the same file in this process — the engine's own limit — in the same run: decode,
/// prefill, time to first token, aggregate decode with concurrent streams, a 10-turn chat, and peak RSS.
/// </summary>
internal static class ServeBenchmark
{
    private const int ContextSize = 4096;
    private const int ServerSlots = 8;
    private const int Turns = 10;

    // Tokens per chat answer: with them turn 10's prompt is ~1,030 tokens, the history llama-server's prefix-cache
    // figures in the issue were measured on (9.5 s cold, 0.91 s cached).
    private const int ChatAnswerTokens = 50;
    private const string ShortPrompt = "Tell me a long story.";

    // ChatML around one user message, in tokens of this vocabulary (every byte one token, each control token one):
    // "<|im_start|>user\n" 6, "<|im_end|>\n" 2, "<|im_start|>assistant\n" 11.
    private const int ChatMlTokens = 19;
    private static readonly int[] Streams = [1, 2, 4, 8];

    public static async Task<int> RunAsync(Options options)
    {
        NativeLogging.Configure(verbose: false, sink: null);
        var shape = Qwen3Shape.Qwen3_0_6B;
        var file = ModelFile(shape);
        var work = Directory.CreateTempSubdirectory("nexa-bench-serve-").FullName;
        try
        {
            var store = new ModelStore(Path.Combine(work, "data"));
            var name = ModelName.Parse("bench/qwen3-0.6b-shapes");
            await new LocalImporter(store, NullPullProgress.Instance).ImportAsync(name, file, null, CancellationToken.None);
            var workload = new Workload(options, PrefillText(options.Prompt - ChatMlTokens), Math.Max(8, options.Tokens / 4));
            Console.WriteLine($"Qwen3-0.6B shapes, Q8_0, {new FileInfo(file).Length >> 20} MiB; {options.Tokens} tokens (concurrent streams " +
                $"{workload.StreamTokens}, chat answers {ChatAnswerTokens}), prompt {options.Prompt}, {options.Runs} runs (median), threads {options.Threads}, context {ContextSize}");

            var (server, bare) = await MeasureAsync(store, name, file, workload);
            return await ReportAsync(options, file, server, bare);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>The model, written once into the temp folder and reused by later runs (the same seed writes the same bytes).</summary>
    internal static string ModelFile(Qwen3Shape shape)
    {
        // v2: the vocabulary whose filler words re-tokenize as generated (Qwen3Shapes); an older file is rewritten.
        var file = Path.Combine(Path.GetTempPath(), "nexa-bench-qwen3-0.6b-shapes-v2-Q8_0.gguf");
        if (File.Exists(file))
            return file;
        var clock = Stopwatch.StartNew();
        Qwen3Shapes.Write(file + ".partial", shape);
        File.Move(file + ".partial", file, overwrite: true);
        Console.WriteLine($"wrote {file} in {clock.Elapsed.TotalSeconds:0.0} s");
        return file;
    }

    private static string PrefillText(int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
            text.Append("the quick brown fox jumps over the lazy dog ");
        return text.ToString(0, length);
    }

    /// <summary>
    /// Each measurement runs through the server and then through the bare loop, one after the other, so that both see
    /// the same machine (a shared one's load comes and goes); the bare loop's weights map the same page cache.
    /// </summary>
    private static async Task<(Figures Server, Figures Bare)> MeasureAsync(ModelStore store, ModelName name, string file, Workload work)
    {
        ProcessMemory.ResetPeak();
        await using var server = await StartServerAsync(store, work, promptCache: true);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var client = new ServerWorkload(http, name.Id);
        object[] story = [ServerWorkload.User(ShortPrompt)];
        await client.CompleteAsync(story, 8); // warm-up: runner start, JIT, page cache
        var serverPeak = ProcessMemory.PeakMb(Environment.ProcessId);

        using var bare = BareLoop.Load(file, ContextSize, work.Options.Threads);
        var storyTokens = bare.Tokenize(ChatMl(ShortPrompt));
        var longTokens = bare.Tokenize(ChatMl(work.PrefillText));
        using var context = bare.CreateContext(1);
        BareLoop.Complete(context, storyTokens, 8); // warm-up

        var s = new Figures { StreamTokens = work.StreamTokens };
        var b = new Figures { StreamTokens = work.StreamTokens };
        for (var run = 0; run < work.Options.Runs; run++)
        {
            s.DecodeRuns.Add(await client.CompleteAsync(story, work.Options.Tokens));
            b.DecodeRuns.Add(BareLoop.Complete(context, storyTokens, work.Options.Tokens));
            s.PrefillRuns.Add(await client.CompleteAsync([ServerWorkload.User(work.PrefillText)], 1));
            b.PrefillRuns.Add(BareLoop.Complete(context, longTokens, 1));
        }

        Console.WriteLine("  concurrent streams …");
        foreach (var streams in Streams)
        {
            s.Aggregate[streams] = await client.ConcurrentAsync(story, streams, work.StreamTokens);
            using var shared = bare.CreateContext(streams);
            b.Aggregate[streams] = BareLoop.Concurrent(shared, storyTokens, streams, work.StreamTokens);
        }

        Console.WriteLine("  chat …");
        // Each answer goes back into the history as the client got it, as a chat client does (this model's words
        // re-tokenize as generated, as a real model's mostly do: see Qwen3Shapes). The bare loop keeps its KV cache
        // between turns (a perfect prompt cache): each turn feeds only what is new.
        s.Turns.AddRange(await ChatAsync(client, ChatAnswerTokens));
        context.NativeHandle.MemoryClear(true);
        var position = 0;
        for (var turn = 0; turn < Turns; turn++)
        {
            var fresh = bare.Tokenize((turn == 0 ? "" : "<|im_end|>\n") + ChatMl(TurnMessage(turn)));
            var history = position + fresh.Length;
            b.Turns.Add(BareLoop.Continue(context, fresh, position, ChatAnswerTokens, out position) with { PromptTokens = history });
        }

        var runnerPeak = ProcessMemory.Runners().Sum(ProcessMemory.PeakMb);
        var processPeak = ProcessMemory.PeakMb(Environment.ProcessId);
        s.PeakMb = serverPeak + runnerPeak;
        s.PeakNote = $"server {serverPeak:0} + runner {runnerPeak:0}";
        // This process held the server too; its part, measured before the bare loop loaded, is taken off.
        b.PeakMb = processPeak - serverPeak;
        b.PeakNote = $"this process {processPeak:0} - the server's {serverPeak:0}";

        // The same chat once more on a server without the prompt cache: every turn decodes its whole history.
        Console.WriteLine("  chat without the prompt cache …");
        await server.DisposeAsync();
        await using var uncached = await StartServerAsync(store, work, promptCache: false);
        using var uncachedHttp = new HttpClient { BaseAddress = uncached.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var uncachedClient = new ServerWorkload(uncachedHttp, name.Id);
        await uncachedClient.CompleteAsync(story, 8); // warm-up
        s.UncachedTurns.AddRange(await ChatAsync(uncachedClient, ChatAnswerTokens));
        return (s, b);
    }

    // 8 slots decoded together (continuous batching), each with 2048 tokens of context: the 512-token prefill, the
    // answers and the 10-turn chat (~1,080 tokens at its end) fit a slot.
    private static Task<NexaServer> StartServerAsync(ModelStore store, Workload work, bool promptCache) =>
        NexaServer.StartAsync(new ServerOptions
        {
            DataDir = store.DataDir,
            Host = "127.0.0.1:0",
            ContextSize = 2048,
            Parallel = ServerSlots,
            Threads = work.Options.Threads,
            PromptCache = promptCache,
        }, new RunnerLauncher(), CancellationToken.None);

    private static async Task<List<Completion>> ChatAsync(ServerWorkload client, int tokens)
    {
        var chat = new List<object>();
        var turns = new List<Completion>();
        for (var turn = 0; turn < Turns; turn++)
        {
            chat.Add(ServerWorkload.User(TurnMessage(turn)));
            var answer = await client.CompleteAsync(chat, tokens);
            turns.Add(answer);
            chat.Add(ServerWorkload.Assistant(answer.Text));
        }
        return turns;
    }

    private static string ChatMl(string user) => $"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n";

    private static string TurnMessage(int turn) => $"Turn {turn + 1}: go on with the story, please.";

    private static async Task<int> ReportAsync(Options options, string file, Figures server, Figures bare)
    {
        var rows = new List<(string Figure, double Server, double Bare)>
        {
            ("decode tok/s, 1 stream", server.Decode, bare.Decode),
            ($"prefill tok/s, {server.PromptTokens}-token prompt", server.Prefill, bare.Prefill),
            ("time to first token ms, short prompt", server.FirstTokenMs, bare.FirstTokenMs),
        };
        rows.AddRange(Streams.Select(s => ($"aggregate decode tok/s, {s} streams x {server.StreamTokens}", server.Aggregate[s], bare.Aggregate[s])));
        rows.AddRange(Enumerable.Range(0, Turns).Select(t =>
            ($"chat turn {t + 1} first token ms ({server.Turns[t].PromptTokens} tok)", server.Turns[t].FirstToken.TotalMilliseconds, bare.Turns[t].FirstToken.TotalMilliseconds)));
        rows.Add(("peak RSS MiB", server.PeakMb, bare.PeakMb));

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"figure",-46} {"nexa serve",11} {"bare loop",11} {"serve/bare",11}");
        foreach (var (figure, s, b) in rows)
            table.AppendLine(CultureInfo.InvariantCulture, $"{figure,-46} {s,11:0.0} {b,11:0.0} {s / b,10:0.00}x");
        table.AppendLine(CultureInfo.InvariantCulture, $"peak RSS: {server.PeakNote} (serve); {bare.PeakNote} (bare). The chat's bare loop keeps its KV cache between turns.");
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"10-turn chat through nexa serve",-34} {"cached tok",10} {"TTFT cache",11} {"prompt none",11} {"TTFT none",10} {"cache/none",11}");
        for (var t = 0; t < Turns; t++)
        {
            var (cached, none) = (server.Turns[t], server.UncachedTurns[t]);
            table.AppendLine(CultureInfo.InvariantCulture,
                $"{$"turn {t + 1} ({cached.PromptTokens} prompt tok)",-34} {cached.CachedTokens,10} {cached.FirstToken.TotalMilliseconds,9:0} ms {none.PromptTokens,11} {none.FirstToken.TotalMilliseconds,7:0} ms {cached.FirstToken / none.FirstToken,10:0.00}x");
        }
        Console.Write(table);

        Directory.CreateDirectory(options.OutDir);
        var json = Path.Combine(options.OutDir, $"serve-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new
        {
            model = Path.GetFileName(file),
            shape = Qwen3Shape.Qwen3_0_6B,
            threads = options.Threads,
            tokens = options.Tokens,
            runs = options.Runs,
            context = ContextSize,
            figures = rows.Select(r => new { figure = r.Figure, serve = r.Server, bare = r.Bare, ratio = r.Server / r.Bare }),
            serve = server.ToJson(),
            bare = bare.ToJson(),
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {json}");
        return 0;
    }

    /// <param name="StreamTokens">Tokens per answer with concurrent streams (a quarter of a single stream's, to keep the run in minutes).</param>
    private sealed record Workload(Options Options, string PrefillText, int StreamTokens);

    private sealed class Figures
    {
        public List<Completion> DecodeRuns { get; } = [];

        public List<Completion> PrefillRuns { get; } = [];

        public Dictionary<int, double> Aggregate { get; } = [];

        public List<Completion> Turns { get; } = [];

        /// <summary>The same chat on a server without the prompt cache (server only).</summary>
        public List<Completion> UncachedTurns { get; } = [];

        public double PeakMb { get; set; }

        public string PeakNote { get; set; } = "";

        /// <summary>Tokens per answer of the concurrent streams.</summary>
        public int StreamTokens { get; set; }

        public double Decode => Median(DecodeRuns.Select(r => r.DecodeTokensPerSecond));

        public double FirstTokenMs => Median(DecodeRuns.Select(r => r.FirstToken.TotalMilliseconds));

        public double Prefill => Median(PrefillRuns.Select(r => r.PrefillTokensPerSecond));

        public int PromptTokens => PrefillRuns[0].PromptTokens;

        public object ToJson() => new
        {
            decode_tokens_per_second = DecodeRuns.Select(r => r.DecodeTokensPerSecond),
            first_token_ms = DecodeRuns.Select(r => r.FirstToken.TotalMilliseconds),
            prefill_tokens_per_second = PrefillRuns.Select(r => r.PrefillTokensPerSecond),
            prompt_tokens = PromptTokens,
            aggregate_decode_tokens_per_second = Aggregate.ToDictionary(a => a.Key.ToString(CultureInfo.InvariantCulture), a => a.Value),
            chat_first_token_ms = Turns.Select(t => t.FirstToken.TotalMilliseconds),
            chat_cached_tokens = Turns.Select(t => t.CachedTokens),
            chat_first_token_ms_without_prompt_cache = UncachedTurns.Select(t => t.FirstToken.TotalMilliseconds),
            stream_tokens = StreamTokens,
            chat_prompt_tokens = Turns.Select(t => t.PromptTokens),
            peak_rss_mb = PeakMb,
            peak_rss = PeakNote,
        };

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }
    }
}
