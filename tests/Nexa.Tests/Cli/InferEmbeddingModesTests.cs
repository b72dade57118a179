using System.Globalization;
using System.Text.RegularExpressions;
using Nexa.Cli;
using Nexa.Cli.Repl;
using Nexa.Engine.Embeddings;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Cli;

/// <summary>What `nexa infer` prints for an embedder and for a reranker, over a fake engine.</summary>
public sealed partial class InferEmbeddingModesTests
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    private CliEnvironment Env(string input = "") => new(_out, _error, _ => null, IsInteractive: false) { In = new StringReader(input) };

    [Fact]
    public async Task An_embedder_prints_each_inputs_first_8_dimensions_its_size_and_its_norm()
    {
        var backend = new FakeEmbeddingBackend();

        var code = await new EmbedderMode(backend, Env(), EmbeddingTask.SearchQuery).RunInputsAsync(["Hello, world!", "second text"], CancellationToken.None);

        Assert.Equal(0, code);
        var request = Assert.Single(backend.Embeddings);
        Assert.Equal(EmbeddingTask.SearchQuery, request.Task);
        var text = _out.ToString();
        var blocks = Block().Matches(text);
        Assert.Equal(2, blocks.Count);
        Assert.Equal(["Hello, world!", "second text"], blocks.Select(b => b.Groups["text"].Value));
        foreach (Match block in blocks)
        {
            Assert.Equal($"{FakeChatModel.EmbeddingSize}", block.Groups["dims"].Value);
            Assert.Equal("1.000000", block.Groups["norm"].Value);
            var shown = block.Groups["values"].Value.Split(", ");
            Assert.Equal(8, shown.Length);
            var expected = FakeChatModel.Embed(block.Groups["text"].Value);
            for (var i = 0; i < 8; i++)
                Assert.Equal(expected[i], float.Parse(shown[i], CultureInfo.InvariantCulture), 0.000001);
        }
        Assert.Matches(@"— 6 tok • [\d.]+ s —", _error.ToString());
    }

    [Fact]
    public async Task An_empty_input_is_a_usage_error()
    {
        var e = await Assert.ThrowsAsync<CliException>(() => new EmbedderMode(new FakeEmbeddingBackend(), Env(), EmbeddingTask.Default).RunInputsAsync(["a", ""], CancellationToken.None));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public async Task An_embedder_without_inputs_embeds_each_line_typed_until_exit()
    {
        var backend = new FakeEmbeddingBackend();

        var code = await new EmbedderMode(backend, Env("first line\n\n  \nsecond line\n/exit\nnever\n"), EmbeddingTask.Default).RunInteractiveAsync(CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Equal(["first line", "second line"], backend.Embeddings.Select(r => r.Inputs.Single().Text));
        Assert.Equal(2, Block().Matches(_out.ToString()).Count);
    }

    [Fact]
    public async Task A_reranker_prints_a_table_best_first_with_index_and_raw_score()
    {
        var backend = new FakeEmbeddingBackend();
        string[] documents = ["The weather is sunny today.", "Deep learning is a type of machine learning.", "Machine learning algorithms learn patterns from data."];

        var code = await new RerankerMode(backend, Env()).RunAsync("What is machine learning?", documents, CancellationToken.None);

        Assert.Equal(0, code);
        var request = Assert.Single(backend.Reranks);
        Assert.Equal("What is machine learning?", request.Query);
        var rows = _out.ToString().Split('\n').Select(l => Row().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(["1", "2", "3"], rows.Select(r => r.Groups["rank"].Value));
        Assert.Equal(["1", "2", "0"], rows.Select(r => r.Groups["index"].Value));
        foreach (var row in rows)
        {
            var index = int.Parse(row.Groups["index"].Value, CultureInfo.InvariantCulture);
            Assert.Equal(FakeChatModel.Score(request.Query, documents[index]).ToString("0.0000", CultureInfo.InvariantCulture), row.Groups["score"].Value);
            Assert.StartsWith(documents[index], row.Groups["document"].Value);
        }
        Assert.Contains("-1.0000", _out.ToString()); // raw logits, not probabilities
    }

    [GeneratedRegex(@"^(?<text>.+)\n  dimensions: (?<dims>\d+)  norm: (?<norm>[\d.]+)\n  \[(?<values>[^\]…]+?)(, …)?\]$", RegexOptions.Multiline)]
    private static partial Regex Block();

    [GeneratedRegex(@"^\s*(?<rank>\d+)\s+(?<index>\d+)\s+(?<score>-?[\d.]+)\s+(?<document>\S.*?)\s*$")]
    private static partial Regex Row();
}
