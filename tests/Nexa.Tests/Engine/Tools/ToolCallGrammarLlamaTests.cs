using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

/// <summary>Every family's grammar is one llama.cpp accepts: a grammar it refuses would leave tool calls unconstrained.</summary>
public sealed class ToolCallGrammarLlamaTests(LlamaGrammarParser llama) : IClassFixture<LlamaGrammarParser>
{
    private readonly LlamaGrammarParser _llama = llama;

    [Theory]
    [MemberData(nameof(ToolCallGrammarTests.Families), MemberType = typeof(ToolCallGrammarTests))]
    public void Llama_cpp_accepts_the_family_grammar(ToolCallFamily family, bool parallel)
    {
        Assert.True(_llama.Accepts(ToolCallGrammarTests.Build(family, parallel)), ToolCallGrammarTests.Build(family, parallel));
    }

    [Fact]
    public void Llama_cpp_refuses_a_grammar_that_uses_an_undefined_rule()
    {
        Assert.False(_llama.Accepts("root ::= undefined-rule"));
    }
}
