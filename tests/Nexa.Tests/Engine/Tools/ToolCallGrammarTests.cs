using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

public sealed class ToolCallGrammarTests
{
    public static TheoryData<ToolCallFamily, bool> Families()
    {
        var data = new TheoryData<ToolCallFamily, bool>();
        foreach (var family in Enum.GetValues<ToolCallFamily>())
        {
            data.Add(family, false);
            data.Add(family, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Grammar_starts_at_root_and_defines_every_rule_it_uses_once(ToolCallFamily family, bool parallel)
    {
        var rules = GbnfRules.Of(Build(family, parallel));

        Assert.Equal("root", rules.Defined[0]);
        Assert.Equal(rules.Defined.Count, rules.Defined.Distinct().Count());
        Assert.Empty(rules.Used.Except(rules.Defined));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Grammar_names_every_tool_and_embeds_each_schema_apart(ToolCallFamily family, bool parallel)
    {
        var grammar = Build(family, parallel);
        var rules = GbnfRules.Of(grammar);

        Assert.All(ToolStreamRun.Tools, tool => Assert.Contains(tool.Name, grammar));
        Assert.Contains("s0-root", rules.Defined);
        Assert.Contains("s0-space", rules.Defined);
        Assert.Contains("s1-root", rules.Defined);
    }

    [Fact]
    public void Parallel_grammar_repeats_the_call_and_a_single_one_does_not()
    {
        Assert.Equal(" call ( space call )*", GbnfRules.Of(Build(ToolCallFamily.Hermes, parallel: true)).Bodies["root"]);
        Assert.Equal(" call", GbnfRules.Of(Build(ToolCallFamily.Hermes, parallel: false)).Bodies["root"]);
    }

    [Fact]
    public void Qwen3_coder_grammar_takes_string_parameters_as_text_and_others_as_json()
    {
        var rules = GbnfRules.Of(Build(ToolCallFamily.Qwen3Coder, parallel: false));
        var weather = rules.Bodies["function-0-get-weather"];

        Assert.Contains("( \"<parameter=city>\\n\" parameter-text \"\\n</parameter>\\n\" ) ", weather);
        Assert.Matches(@"\( ""<parameter=days>\\n"" s[0-9]+-root ""\\n</parameter>\\n"" \)\?", weather);
    }

    [Fact]
    public void Grammar_needs_at_least_one_tool()
    {
        Assert.Throws<ArgumentException>(() => ToolCallFormats.For(ToolCallFamily.Hermes).BuildGrammar([], PlaceholderSchemaGrammar.Convert, parallel: false));
    }

    [Fact]
    public void Renaming_an_embedded_grammar_leaves_literals_classes_and_counts_alone()
    {
        var renamed = GbnfWriter.Prefixed("root ::= \"a b\" [a-z] x{1,2} <think> # c d\nx ::= \"\\\"q\"", "s3-");

        Assert.Equal("s3-root ::= \"a b\" [a-z] s3-x{1,2} <think> # c d\ns3-x ::= \"\\\"q\"", renamed);
    }

    [Fact]
    public void Literals_escape_quotes_backslashes_and_newlines_and_keep_wide_characters()
    {
        Assert.Equal("\"<｜tool▁sep｜>a\\\"b\\\\c\\n\"", GbnfWriter.Literal("<｜tool▁sep｜>a\"b\\c\n"));
    }

    internal static string Build(ToolCallFamily family, bool parallel) =>
        ToolCallFormats.For(family).BuildGrammar(ToolStreamRun.Tools, PlaceholderSchemaGrammar.Convert, parallel);
}
