using Nexa.Engine.Grammar;

namespace Nexa.Tests.Engine.Grammar;

public sealed class GbnfGrammarTests
{
    // Our own grammars covering the syntax llama.cpp accepts (none copied from llama.cpp's grammars/).
    public static TheoryData<string> Valid => new()
    {
        "root ::= \"yes\" | \"no\"",
        "root ::= [a-z]+",
        "root ::= expr\nexpr ::= term ((\"+\" | \"-\") term)*\nterm ::= [0-9]+ | \"(\" expr \")\"",
        "# a comment first\nroot ::= item (\",\" item)* # trailing comment\nitem ::= [^,\\n]{1,8}",
        "root ::= ( \"a\"\n  | \"b\"\n  )",
        "root ::= \"\\x41\\u00e9\\U0001F600\\t\\r\\n\\\\\\\"\\[\\]\"",
        "root ::= [\\x00-\\x1F\\]-] .",
        "root ::= [a-]",
        "root ::= \"x\"{3} \"y\"{2,} \"z\"{0,4} \"w\"{ 1 , 2 }",
        "root ::= \"é\" [αβγ] \"😀\"",
        "root ::= <[42]> !<[7]> \"done\"",
        "root ::= a\r\na ::= \"x\" a |",
        "root ::= list\nlist ::= \"[\" (value (\",\" value)*)? \"]\"\nvalue ::= list | [0-9]",
        "root ::= \"a\" | ",
        "root ::= [] \"x\"",
        "\n\n   root   ::=   \"x\"   \n\n",
        "root ::= \"\"",
        "root ::= x-y\nx-y ::= \"1\"",
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Accepts_what_llama_cpp_accepts(string grammar)
    {
        var parsed = GbnfGrammar.Parse(grammar);

        Assert.True(parsed.Symbols.ContainsKey("root"));
    }

    public static TheoryData<string, string, int, int> Invalid => new()
    {
        { "", "no rules", 0, 0 },
        { "# only a comment\n", "no rules", 0, 0 },
        { "start ::= \"x\"", "'root'", 0, 0 },
        { "root ::= item\n", "Undefined rule identifier 'item'", 1, 10 },
        { "root ::= a\na ::= \"x\" missing", "Undefined rule identifier 'missing'", 2, 11 },
        { "root ::= root \"x\" | \"y\"", "left recursion", 1, 1 },
        // llama.cpp's walk starts at root and names the first rule it finds on the cycle.
        { "root ::= a\na ::= b \"x\"\nb ::= \"\" | a", "left recursion detected for nonterminal 'root'", 1, 1 },
        { "root ::= \"x\" a\na ::= b \"x\"\nb ::= \"\" | a", "left recursion detected for nonterminal 'a'", 2, 1 },
        { "root ::= \"abc", "unterminated string", 1, 14 },
        { "root ::= [a-z", "unterminated character class", 1, 14 },
        { "root ::= [a-", "unterminated character class", 1, 13 },
        { "root ::= \"\\q\"", "unknown escape", 1, 11 },
        { "root ::= \"\\x4\"", "expecting 2 hex chars", 1, 13 },
        { "root ::= \"\\u12G4\"", "expecting 4 hex chars", 1, 13 },
        { "root ::= (\"a\"", "expecting ')'", 1, 14 },
        { "root ::= \"a\" )", "expecting newline or end", 1, 14 },
        { "root = \"a\"", "expecting ::=", 1, 6 },
        { "root ::= *", "expecting preceding item", 1, 10 },
        { "root ::= \"a\"{", "expecting an int", 1, 14 },
        { "root ::= \"a\"{2", "expecting ','", 1, 15 },
        { "root ::= \"a\"{2,3", "expecting '}'", 1, 17 },
        { "root ::= \"a\"{5,3}", "maximum below its minimum", 1, 13 },
        { "root ::= \"a\"{2001}", "number of repetitions exceeds sane defaults", 1, 13 },
        { "root ::= \"a\"{0,2001}", "number of repetitions exceeds sane defaults", 1, 13 },
        { "root ::= \"a\"{2000}", "number of rules", 1, 13 },
        { "root ::= \"\\-\"", "unknown escape", 1, 11 },
        { "root ::= (\"a\" \"b\"{1,10}){300}", "exceeds sane defaults", 1, 25 },
        { "root ::= <[12>", "expecting ']'", 1, 14 },
        { "root ::= <[12]", "expecting '>'", 1, 15 },
        { "root ::= !\"x\"", "expecting '<'", 1, 11 },
        { "root ::= <|unterminated", "expecting '>'", 1, 24 },
        { "my_rule ::= \"x\"", "expecting ::=", 1, 3 },
        { "root ::= \"a\"\n  | \"b\"", "expecting name", 2, 3 },
        { "root ::= \"x\"\nroot2 ::= \"ab\0c\"", "NUL", 2, 14 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Refuses_what_llama_cpp_refuses_naming_the_place(string grammar, string reason, int line, int column)
    {
        var error = Assert.Throws<GbnfException>(() => GbnfGrammar.Parse(grammar));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        if (line > 0)
        {
            Assert.EndsWith($"at {line}:{column}", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_text_token_is_looked_up_in_the_vocabulary()
    {
        Func<string, int?> vocabulary = text => text == "<|im_end|>" ? 258 : null;

        var grammar = GbnfGrammar.Parse("root ::= \"x\" <|im_end|>", tokenOf: vocabulary);
        var error = Assert.Throws<GbnfException>(() => GbnfGrammar.Parse("root ::= <|nope|>", tokenOf: vocabulary));

        Assert.Contains(grammar.Rules[(int)grammar.Root], e => e == new GbnfElement(GbnfElementType.Token, 258));
        Assert.Contains("invalid token '<|nope|>'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Repetitions_compile_to_the_rules_llama_cpp_generates()
    {
        // S{1,3} → S S' with S' ::= S S'' | and S'' ::= S | (llama.cpp's rewrite, ids in the same order).
        var grammar = GbnfGrammar.Parse("root ::= \"a\"{1,3}");

        Assert.Equal(3, grammar.Rules.Count);
        Assert.Equal(["root", "root_1", "root_2"], grammar.Symbols.OrderBy(s => s.Value).Select(s => s.Key));
        Assert.Equal(
            [new(GbnfElementType.Char, 'a'), new(GbnfElementType.RuleReference, 2), new(GbnfElementType.End, 0)],
            grammar.Rules[0]);
    }
}
