using System.Globalization;
using Nexa.Hub;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Pull;

namespace Nexa.Tests.Cli;

/// <summary>`nexa infer` with --grammar-string, --grammar-path and --enable-json, through llama.cpp on a tiny random model.</summary>
public sealed class InferConstrainedAnswerTests : PullTestBase
{
    private const string YesOrNo = """root ::= "yes" | "no" """;

    private Task<CliResult> InferAsync(params string[] args) =>
        Nexa(["infer", "org/tiny", "--threads", "1", "--nctx", "2048", "--temperature", "1", .. args]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_grammar_string_makes_every_answer_one_of_its_words(int seed)
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var result = await InferAsync("-p", "one", "-p", "two", "-p", "three", "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--max-tokens", "20", "--grammar-string", YesOrNo);

        Assert.True(result.ExitCode == 0, result.All);
        var answers = CliAnswers.Lines(result);
        Assert.Equal(3, answers.Length);
        Assert.All(answers, answer => Assert.Contains(answer, (string[])["yes", "no"]));
    }

    [Fact]
    public async Task A_grammar_file_constrains_the_answer_as_the_string_does()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());
        var file = Dir["yes-no.gbnf"];
        await File.WriteAllTextAsync(file, "# yes or no\nroot ::= answer\nanswer ::= \"yes\" | \"no\"\n");

        var result = await InferAsync("-p", "one", "-p", "two", "--seed", "3", "--max-tokens", "20", "--grammar-path", file);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.All(CliAnswers.Lines(result), answer => Assert.Contains(answer, (string[])["yes", "no"]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Enable_json_answers_a_json_object(int seed)
    {
        const int maxTokens = 300;
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var result = await InferAsync("-p", "a cat as JSON", "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--max-tokens", maxTokens.ToString(CultureInfo.InvariantCulture), "--enable-json");

        Assert.True(result.ExitCode == 0, result.All);
        CliAnswers.AssertJsonObject(result, maxTokens);
    }

    [Fact]
    public async Task A_bad_grammar_prints_the_engines_error_with_line_and_column_and_exits_1()
    {
        Hub.AddFile("org/tiny", "tiny-Q8_0.gguf", ChatModelBytes());

        var result = await InferAsync("-p", "one", "--max-tokens", "8", "--grammar-string", "root ::= \"a\"\nword ::= (\"b\"");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"error: invalid grammar: .+ at 2:\d+", result.Error);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("--grammar-path", "{dir}/absent.gbnf", "no such file")]
    [InlineData("--grammar-path", "{dir}", "is a folder")]
    [InlineData("--grammar-string", " ", "empty")]
    public async Task A_grammar_that_cannot_be_had_is_a_usage_error_before_anything_loads(string flag, string value, string says)
    {
        var result = await Nexa("infer", "org/tiny", "-p", "x", flag, value.Replace("{dir}", Dir.Path, StringComparison.Ordinal));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(says, result.Error);
        Assert.Null(Store.Find(ModelName.Parse("org/tiny")));
    }

    [Fact]
    public async Task Two_grammars_or_json_with_a_grammar_are_usage_errors()
    {
        var file = Dir["g.gbnf"];
        await File.WriteAllTextAsync(file, YesOrNo);

        var both = await Nexa("infer", "org/tiny", "-p", "x", "--grammar-path", file, "--grammar-string", YesOrNo);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Error);

        var json = await Nexa("infer", "org/tiny", "-p", "x", "--enable-json", "--grammar-string", YesOrNo);
        Assert.Equal(2, json.ExitCode);
        Assert.Contains("--enable-json cannot be combined with a grammar", json.Error);
    }
}
