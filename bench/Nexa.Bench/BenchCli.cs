namespace Nexa.Bench;

/// <summary>Benchmarks, each side by side with a reference measured in the same run; prints a table and writes JSON.</summary>
public static class BenchCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var what = args.FirstOrDefault() ?? "help";
        switch (what)
        {
            case "pull":
                return await PullBenchmark.RunAsync(Options.Parse(args.Skip(1)));
            case "embed":
                return await EmbedBenchmark.RunAsync(Options.Parse(args.Skip(1)));
            case "chat":
                return await ChatBenchmark.RunAsync(Options.Parse(args.Skip(1)));
            case "serve":
                return await ServeBenchmark.RunAsync(Options.Parse(args.Skip(1)));
            case "grammar":
                return GrammarBenchmark.Run(Options.Parse(args.Skip(1)));
            case "tiny-model" when args.Length > 1:
                Console.WriteLine(Nexa.Tests.Fixtures.TinyModels.WriteChatModel(args[1],
                    embeddingLength: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Nexa.Tests.Fixtures.TinyModels.DefaultEmbeddingLength));
                return 0;
            case "tiny-vlm" when args.Length > 1:
                // A folder `nexa pull me/tiny-vlm --local-path <dir>` imports as a vision model (GGUF + mmproj).
                Directory.CreateDirectory(args[1]);
                Console.WriteLine(Nexa.Tests.Fixtures.TinyModels.WriteChatModel(Path.Combine(args[1], "tiny-vlm-Q8_0.gguf")));
                Console.WriteLine(Nexa.Tests.Fixtures.TinyVisionProjector.Write(Path.Combine(args[1], "mmproj-tiny-vlm-F32.gguf")));
                return 0;
            case "tiny-sd" when args.Length > 1:
                foreach (var file in Nexa.Tests.Fixtures.Onnx.TinyOnnxPipelines.WriteSdxlTurbo(args[1]))
                    Console.WriteLine(Path.Combine(args[1], file));
                return 0;
            case "hub":
                return await DemoHub.RunAsync(args.Skip(1).ToArray());
            default:
                Console.WriteLine("""
                    usage: dotnet run -c Release --project bench/Nexa.Bench -- <benchmark> [options]

                    benchmarks:
                      pull   nexa pull of one large file from a hub on 127.0.0.1, next to curl on the same URL
                             --size-mb 500  --runs 3  --connections 4  --out bench/out
                      chat   one stream's decode tokens/s through nexa serve (HTTP → runner) next to in-process (nexa infer)
                             --tokens 256  --runs 3  --threads 2  --embeddings 64,1024
                      serve  nexa serve next to a bare LLamaSharp loop on a model of Qwen3-0.6B's shapes (random Q8_0 weights):
                             decode, prefill, first token, 1/2/4/8 concurrent streams, a 10-turn chat, peak RSS
                             --tokens 128  --prompt 512  --runs 3  --threads 2
                      grammar  decode tokens/s under a json_schema grammar next to unconstrained, on Qwen3-0.6B's shapes (151k tokens):
                             the fast path (check the chain's pick, whole vocabulary only when refused) and the grammar applied first
                             --tokens 256  --runs 3  --threads 2
                      embed  embeddings/s through nexa serve, 256 short inputs on a MiniLM-sized BERT: one request vs one per input
                             --runs 3  --threads 2
                      tiny-model <file.gguf> [embedding]   write the tests' tiny chat model (random weights: gibberish, but real llama.cpp)
                      tiny-vlm <dir>   the tiny chat model with a tiny LLaVA-style projector (mmproj) beside it: a vision model
                      tiny-sd <dir>    a tiny SDXL-Turbo-shaped ONNX pipeline in the Optimum layout (random weights: noise, but real ONNX Runtime)
                      hub    a fake Hugging Face hub on 127.0.0.1 for trying `nexa pull` offline:
                             hub <org/repo>=<file.gguf>... [--big-mb N] [--rate-mb N]; then HF_ENDPOINT=<printed url> nexa pull <org/repo>
                    """);
                return what == "help" ? 0 : 2;
        }
    }
}

public sealed record Options(long SizeMb, int Runs, int Connections, string OutDir)
{
    public int Tokens { get; init; } = 256;
    public int Threads { get; init; } = 2;
    public int Prompt { get; init; } = 512;
    public int[] Embeddings { get; init; } = [64, 1024];

    public static Options Parse(IEnumerable<string> args)
    {
        var map = new Dictionary<string, string>();
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
                key = arg[2..];
            else if (key is not null)
            {
                map[key] = arg;
                key = null;
            }
        }
        return new Options(
            long.Parse(map.GetValueOrDefault("size-mb", "500"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("runs", "3"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("connections", "4"), System.Globalization.CultureInfo.InvariantCulture),
            map.GetValueOrDefault("out", "bench/out"))
        {
            Tokens = int.Parse(map.GetValueOrDefault("tokens", "256"), System.Globalization.CultureInfo.InvariantCulture),
            Threads = int.Parse(map.GetValueOrDefault("threads", "2"), System.Globalization.CultureInfo.InvariantCulture),
            Prompt = int.Parse(map.GetValueOrDefault("prompt", "512"), System.Globalization.CultureInfo.InvariantCulture),
            Embeddings = [.. map.GetValueOrDefault("embeddings", "64,1024").Split(',').Select(e => int.Parse(e, System.Globalization.CultureInfo.InvariantCulture))],
        };
    }
}
