using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Nexa.Engine.Grammar;
using Nexa.Engine.Text;

namespace Nexa.Tests.Engine.Grammar;

/// <summary>
/// Our parser against llama.cpp's own (the one LLamaSharp ships): every grammar of the corpus is given to both, and
/// both must accept or both refuse. llama.cpp refuses by returning NULL (and printing to stderr), which is safe to
/// ask through our own binding.
/// </summary>
public sealed class GbnfNativeAgreementTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    // Refused by us on purpose where llama.cpp would misbehave: "" gives an unconstrained sampler, {5,3} generates
    // rules until memory runs out, and a NUL would cut the text llama.cpp sees.
    private static readonly HashSet<string> OursOnly = ["", "root ::= \"a\"{5,3}", "root ::= \"x\"\nroot2 ::= \"ab\0c\""];

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var row in (IEnumerable<object[]>)GbnfGrammarTests.Valid)
        {
            data.Add((string)row[0]);
        }

        foreach (var row in (IEnumerable<object[]>)GbnfGrammarTests.Invalid)
        {
            if (!OursOnly.Contains((string)row[0]))
            {
                data.Add((string)row[0]);
            }
        }

        // Token references resolved through the model's vocabulary, and a few more corner cases.
        data.Add("root ::= <|im_end|>");
        data.Add("root ::= <|not-a-token|>");
        data.Add("root ::= \"x\" !<|im_end|>");
        data.Add("root ::= [^]");
        data.Add("root ::= []*");
        data.Add("root ::= \"a\"{99999999999999999999}");
        data.Add("root ::= <[99999999999999999999]>");
        data.Add("root ::= (\"a\" (\"b\" (\"c\")*)?)+ x\nx ::= [\\u0041-\\u005A]");
        data.Add("root ::= a\na ::= \"1\"\na ::= \"2\"");
        data.Add("root ::= root_1\nroot_1 ::= \"x\"");
        data.Add("root ::= (\"x\") root_1");
        data.Add("root ::= \"\\u00\"");
        data.Add("a ::= \"x\"\nroot ::= a a a");
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Our_parser_and_llama_cpp_agree(string grammar)
    {
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(tiny.Path) { ContextSize = 256, LoadMode = LLamaLoadMode.MemoryMap });
        int? TokenOf(string text)
        {
            var tokens = weights.Tokenize(text, false, true, Encoding.UTF8);
            return tokens.Length == 1 ? (int)tokens[0] : null;
        }

        bool ours;
        try
        {
            GbnfGrammar.Parse(grammar, tokenOf: TokenOf);
            ours = true;
        }
        catch (GbnfException)
        {
            ours = false;
        }

        using var native = NativeGrammar.Create(weights.NativeHandle, grammar);

        Assert.Equal(native is not null, ours);
    }
}
