using System.Diagnostics;
using System.Globalization;
using Nexa.Engine.Embeddings;

namespace Nexa.Cli.Repl;

/// <summary>
/// `nexa infer &lt;embedder&gt;`: embeds each input (-p, or each line typed) and prints what a person can check at a
/// glance: the first dimensions, the dimension count and the norm. Footers go to stderr, as for chat.
/// </summary>
internal sealed class EmbedderMode(IEmbeddingBackend backend, CliEnvironment env, EmbeddingTask task)
{
    public const int Shown = 8;

    /// <summary>`-p`: all inputs in one request, printed in order.</summary>
    public async Task<int> RunInputsAsync(IReadOnlyList<string> inputs, CancellationToken ct)
    {
        var empty = inputs.Select((text, i) => (text, i)).FirstOrDefault(x => x.text.Length == 0);
        if (empty.text is not null)
            throw new CliException($"-p number {empty.i + 1} is empty: there is nothing to embed", ExitCodes.Usage);
        await EmbedAsync(inputs, ct);
        return ExitCodes.Ok;
    }

    public async Task<int> RunInteractiveAsync(CancellationToken ct)
    {
        await env.Out.WriteLineAsync("Type a text and press Enter to embed it; /exit or Ctrl-D to quit.");
        using var atPrompt = env.Interrupts.Redirect(() => env.Out.Write("\n(Ctrl-D or /exit to quit)\n>>> "));
        while (!ct.IsCancellationRequested)
        {
            await env.Out.WriteAsync(">>> ");
            var line = await env.In.ReadLineAsync(ct);
            if (line is null || line.Trim() is "/exit" or "/quit" or "/bye")
                break;
            if (line.Trim().Length > 0)
                await EmbedAsync([line], ct);
        }
        return ExitCodes.Ok;
    }

    private async Task EmbedAsync(IReadOnlyList<string> inputs, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var result = await backend.EmbedAsync(new EmbeddingRequest { Inputs = [.. inputs.Select(EmbeddingInput.FromText)], Task = task }, ct);
        for (var i = 0; i < inputs.Count; i++)
            await env.Out.WriteAsync(Describe(inputs[i], result.Vectors[i]));
        await env.Error.WriteLineAsync(FormattableString.Invariant($"— {result.PromptTokens} tok • {clock.Elapsed.TotalSeconds:0.00} s —"));
    }

    /// <summary>The text, then its dimension count and norm, then its first <see cref="Shown"/> numbers.</summary>
    public static string Describe(string text, float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(x => (double)x * x));
        var first = string.Join(", ", vector.Take(Shown).Select(x => x.ToString("0.000000", CultureInfo.InvariantCulture)));
        var more = vector.Length > Shown ? ", …" : "";
        return FormattableString.Invariant($"{text}\n  dimensions: {vector.Length}  norm: {norm:0.000000}\n  [{first}{more}]\n");
    }
}
