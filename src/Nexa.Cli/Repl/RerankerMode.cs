using System.Diagnostics;
using System.Globalization;
using Nexa.Engine.Embeddings;
using Spectre.Console;

namespace Nexa.Cli.Repl;

/// <summary>`nexa infer &lt;reranker&gt; -q … -d … -d …`: scores each document against the query and prints them best first.</summary>
internal sealed class RerankerMode(IEmbeddingBackend backend, CliEnvironment env)
{
    public async Task<int> RunAsync(string query, IReadOnlyList<string> documents, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var result = await backend.RerankAsync(new RerankRequest { Query = query, Documents = documents }, ct);

        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn(new TableColumn("RANK").RightAligned())
            .AddColumn(new TableColumn("INDEX").RightAligned())
            .AddColumn(new TableColumn("SCORE").RightAligned())
            .AddColumn("DOCUMENT");
        // Raw scores (the model's logits), highest first; equal scores keep the order given.
        var ranked = result.Scores.Select((score, index) => (Score: score, Index: index)).OrderByDescending(x => x.Score).ToList();
        for (var rank = 0; rank < ranked.Count; rank++)
        {
            var (score, index) = ranked[rank];
            table.AddRow(
                (rank + 1).ToString(CultureInfo.InvariantCulture),
                index.ToString(CultureInfo.InvariantCulture),
                score.ToString("0.0000", CultureInfo.InvariantCulture),
                Markup.Escape(documents[index]));
        }
        Consoles.For(env.Out, env.IsInteractive).Write(table);
        await env.Error.WriteLineAsync(FormattableString.Invariant($"— {result.PromptTokens} tok • {clock.Elapsed.TotalSeconds:0.00} s —"));
        return ExitCodes.Ok;
    }
}
