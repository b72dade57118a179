using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Nexa.Engine;
using Nexa.Engine.Grammar;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Bench;

/// <summary>
/// Decode tokens/s with a json_schema grammar next to the same decode unconstrained, on a model of Qwen3-0.6B's
/// shapes (151,936 tokens: the grammar's cost grows with the vocabulary). Three samplers over one context:
/// the engine's chain alone; <see cref="GrammarSampler"/> as the engine runs it (the chain picks, only that token is
/// checked, the whole vocabulary only when the grammar refuses it); and the grammar applied to every candidate first.
/// The weights are random, so the chain's pick is refused far more often than a trained model's would be: the fast
/// path's figure here is a floor.
/// </summary>
internal static class GrammarBenchmark
{
    private const int ContextSize = 4096;

    // Strings of bounded length in a long list: the answer is mostly string content, with structure every few tokens.
    private const string Schema = """
        {"type":"object","properties":{"title":{"type":"string"},
         "tags":{"type":"array","items":{"type":"string","maxLength":24},"minItems":400}},
         "required":["title","tags"]}
        """;

    public static int Run(Options options)
    {
        NativeLogging.Configure(verbose: false, sink: null);
        var file = ServeBenchmark.ModelFile(Qwen3Shape.Qwen3_0_6B);
        var grammarText = JsonSchemaGrammar.FromSchema(Schema);
        var parameters = new ModelParams(file)
        {
            LoadMode = LLamaLoadMode.MemoryMap,
            ContextSize = ContextSize,
            Threads = options.Threads,
            BatchThreads = options.Threads,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        var prompt = weights.Tokenize("<|im_start|>user\nList tags as JSON.<|im_end|>\n<|im_start|>assistant\n", false, true, Encoding.UTF8);
        var vocabulary = weights.Vocab.Count;
        var request = new ChatRequest { Messages = [], Grammar = grammarText };
        var grammar = SamplerFactory.ValidateGrammar(request, vocabulary, _ => null)!;
        var sampling = new SamplingOptions { Seed = 42 };
        Console.WriteLine($"Qwen3-0.6B shapes, vocabulary {vocabulary}; {options.Tokens} tokens, {options.Runs} runs (median), threads {options.Threads}");

        ISamplingPipeline Free() => SamplerFactory.Create(sampling, vocabulary, []);
        ISamplingPipeline Constrained(bool grammarFirst)
        {
            var sampler = SamplerFactory.CreateConstrained(sampling, vocabulary, request, grammar, weights.NativeHandle);
            sampler.GrammarFirst = grammarFirst;
            return sampler;
        }

        _ = Decode(context, prompt, Free, 8); // warm-up: JIT, page cache
        // The three take turns within each round, so a shared machine's changing load falls on all of them alike.
        var rounds = new List<(Result Free, Result Fast, Result First)>();
        for (var round = 0; round < options.Runs; round++)
        {
            rounds.Add((Once("unconstrained", () => Decode(context, prompt, Free, options.Tokens)),
                Once("chain first", () => Decode(context, prompt, () => Constrained(false), options.Tokens)),
                Once("grammar first", () => Decode(context, prompt, () => Constrained(true), options.Tokens))));
        }

        var free = Median(rounds.Select(r => r.Free));
        var fast = Median(rounds.Select(r => r.Fast));
        var first = Median(rounds.Select(r => r.First));

        Console.WriteLine();
        Console.WriteLine($"{"sampler",-34} {"tokens/s",9} {"× free",7} {"sample ms/token",16} {"fast picks",11}");
        Console.WriteLine($"{"unconstrained",-34} {free.TokensPerSecond,9:0.00} {1.0,7:0.00} {free.SampleMs,16:0.0} {"",11}");
        Console.WriteLine($"{"json_schema, chain first (engine)",-34} {fast.TokensPerSecond,9:0.00} {fast.TokensPerSecond / free.TokensPerSecond,7:0.00} {fast.SampleMs,16:0.0} {fast.FastShare,11:P0}");
        Console.WriteLine($"{"json_schema, grammar first",-34} {first.TokensPerSecond,9:0.00} {first.TokensPerSecond / free.TokensPerSecond,7:0.00} {first.SampleMs,16:0.0} {"",11}");

        Directory.CreateDirectory(options.OutDir);
        var output = Path.Combine(options.OutDir, "grammar.json");
        File.WriteAllText(output, JsonSerializer.Serialize(new
        {
            vocabulary,
            options.Tokens,
            options.Runs,
            options.Threads,
            unconstrained = free,
            chainFirst = fast,
            grammarFirst = first,
            ratioChainFirst = fast.TokensPerSecond / free.TokensPerSecond,
            ratioGrammarFirst = first.TokensPerSecond / free.TokensPerSecond,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    /// <summary>Decode speed after the first token, and the mean time one Sample call took (the grammar's cost).</summary>
    private sealed record Result(double TokensPerSecond, int Tokens, double FastShare, double SampleMs);

    // Each run is printed as it ends: runs are slow on a busy machine.
    private static Result Once(string name, Func<Result> run)
    {
        var result = run();
        Console.WriteLine($"  {name}: {result.TokensPerSecond:0.00} tokens/s, sample {result.SampleMs:0.0} ms/token ({result.Tokens} tokens, fast picks {result.FastShare:P0})");
        return result;
    }

    private static Result Median(IEnumerable<Result> runs)
    {
        var sorted = runs.OrderBy(r => r.TokensPerSecond).ToList();
        return sorted[sorted.Count / 2];
    }

    // One fresh sequence: the prompt, then up to maxTokens sampled tokens; the first (prefill) is left out of the speed.
    private static Result Decode(LLamaContext context, LLamaToken[] prompt, Func<ISamplingPipeline> create, int maxTokens)
    {
        using var sampler = create();
        context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        var logits = 0;
        for (var i = 0; i < prompt.Length; i++)
            logits = batch.Add(prompt[i], i, (LLamaSeqId)0, i == prompt.Length - 1);
        Check(context.Decode(batch));
        var sampling = Stopwatch.StartNew();
        var token = sampler.Sample(context.NativeHandle, logits);
        sampling.Stop();
        var clock = Stopwatch.StartNew();
        var generated = 1;
        for (; generated < maxTokens; generated++)
        {
            // A grammar that is complete allows only the end: the answer is over.
            if (token.IsEndOfGeneration(context.Vocab))
                break;
            batch.Clear();
            var index = batch.Add(token, prompt.Length + generated - 1, (LLamaSeqId)0, true);
            Check(context.Decode(batch));
            sampling.Start();
            token = sampler.Sample(context.NativeHandle, index);
            sampling.Stop();
        }

        var share = sampler is GrammarSampler g && g.FastPicks + g.FullPicks > 0 ? (double)g.FastPicks / (g.FastPicks + g.FullPicks) : 0;
        return new Result((generated - 1) / clock.Elapsed.TotalSeconds, generated, share, sampling.Elapsed.TotalMilliseconds / generated);
    }

    private static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama_decode failed: {result}");
    }
}
