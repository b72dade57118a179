using System.Text.RegularExpressions;
using Nexa.Engine.Grammar;
using Nexa.Engine.Text;
using Nexa.Tests.Engine.Grammar;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class TextModelGrammarTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    private const string PersonSchema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "maxLength": 6 },
            "age": { "type": "integer", "minimum": 0, "maximum": 120 },
            "tags": { "type": "array", "items": { "enum": ["a", "b", "c"] }, "maxItems": 3 },
            "when": { "type": "string", "format": "date" },
            "ok": { "type": ["boolean", "null"] }
          },
          "required": ["name", "age", "tags"]
        }
        """;

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(4u)]
    [InlineData(5u)]
    public async Task A_json_schema_grammar_makes_every_answer_valid_json_for_the_schema(uint seed)
    {
        var request = TinyTextModel.Ask("Describe a person as JSON.", seed: seed, maxTokens: 600) with { Grammar = JsonSchemaGrammar.FromSchema(PersonSchema) };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Equal(FinishReason.Stop, generation.Finished.Reason);
        JsonSchemaCheck.AssertValid(PersonSchema, generation.Text);
    }

    [Fact]
    public async Task Json_object_mode_answers_one_json_object()
    {
        var request = TinyTextModel.Ask("JSON please", seed: 11, maxTokens: 600) with
        {
            Grammar = JsonSchemaGrammar.AnyObject(),
            // Keep the random model's object small: deep nesting would take it past max_tokens.
            Sampling = new SamplingOptions { Seed = 11, Temperature = 0.7f },
        };

        var generation = await Generation.RunAsync(tiny.Model, request);

        if (generation.Finished.Reason == FinishReason.Stop)
        {
            Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(generation.Text).RootElement.ValueKind);
        }
        else
        {
            Assert.StartsWith("{", generation.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_plain_gbnf_grammar_constrains_the_answer()
    {
        var request = TinyTextModel.Ask("Yes or no?", seed: 3, maxTokens: 50) with { Grammar = "root ::= (\"yes\" | \"no\") \"!\"{1,3}" };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Matches(new Regex("^(yes|no)!{1,3}$"), generation.Text);
        Assert.Equal(FinishReason.Stop, generation.Finished.Reason);
    }

    [Theory]
    [InlineData("root ::= \"a\" | (\"b\"", "expecting ')'", "1:20")]
    [InlineData("root ::= item", "Undefined rule identifier 'item'", "1:10")]
    [InlineData("root ::= root \"x\"", "left recursion", "1:1")]
    [InlineData("start ::= \"x\"", "'root'", null)]
    [InlineData("root ::= <|no-such-token|>", "invalid token", "1:10")]
    public async Task An_invalid_grammar_is_refused_before_native_code_sees_it(string grammar, string reason, string? place)
    {
        var request = TinyTextModel.Ask("Hi") with { Grammar = grammar };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, request));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("grammar", error.Param);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        if (place is not null)
        {
            Assert.EndsWith($"at {place}", error.Message, StringComparison.Ordinal);
        }

        // The process (and the model) lives on: a grammar-free request still works.
        var after = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi"));
        Assert.True(after.Finished.CompletionTokens > 0);
    }

    [Fact]
    public async Task A_grammar_may_name_a_control_token_of_the_vocabulary()
    {
        // <|im_start|> is a control token (rendered as nothing); after it the grammar is complete and the answer ends.
        // (An end-of-generation token cannot be named: llama.cpp's grammar allows one only where the grammar is complete.)
        var request = TinyTextModel.Ask("Hi", seed: 1, maxTokens: 20) with { Grammar = "root ::= \"ok\" <|im_start|>" };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Equal("ok", generation.Text);
        Assert.Equal(FinishReason.Stop, generation.Finished.Reason);
        Assert.Equal(3, generation.Finished.CompletionTokens);
    }

    [Fact]
    public async Task Ignore_eos_with_a_grammar_is_refused()
    {
        var request = TinyTextModel.Ask("Hi") with { Grammar = "root ::= \"x\"", IgnoreEos = true };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, request));

        Assert.Equal("grammar", error.Param);
    }

    [Fact]
    public async Task A_lazy_grammar_constrains_from_its_trigger_word_on()
    {
        // A strong bias makes the model write "!" first: that is the trigger, and from it on the grammar holds.
        var bang = TinyModels.Vocabulary.ToList().IndexOf("!");
        var request = TinyTextModel.Ask("Hi", seed: 5, maxTokens: 40) with
        {
            Grammar = "root ::= \"!\" [0-9]{3}",
            GrammarTriggerWords = ["!"],
            Sampling = new SamplingOptions { Seed = 5, LogitBias = new Dictionary<int, float> { [bang] = 100 } },
        };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Matches(new Regex("^![0-9]{3}$"), generation.Text);
    }

    [Fact]
    public async Task A_lazy_grammar_constrains_from_its_trigger_token_on()
    {
        var bang = TinyModels.Vocabulary.ToList().IndexOf("!");
        var request = TinyTextModel.Ask("Hi", seed: 6, maxTokens: 40) with
        {
            Grammar = "root ::= <[" + bang + "]> (\"yes\" | \"no\")",
            GrammarTriggerTokens = [bang],
            Sampling = new SamplingOptions { Seed = 6, LogitBias = new Dictionary<int, float> { [bang] = 100 } },
        };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Matches(new Regex("^!(yes|no)$"), generation.Text);
    }

    [Fact]
    public async Task A_trigger_whose_text_the_grammar_refuses_is_written_around_not_an_abort()
    {
        // llama.cpp would replay "!" into a grammar that must start with "x" and abort; the sampler picks another token.
        var bang = TinyModels.Vocabulary.ToList().IndexOf("!");
        var request = TinyTextModel.Ask("Hi", seed: 7, maxTokens: 12) with
        {
            Grammar = "root ::= \"x\"",
            GrammarTriggerWords = ["!"],
            Sampling = new SamplingOptions { Seed = 7, LogitBias = new Dictionary<int, float> { [bang] = 100 } },
        };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.DoesNotContain("!", generation.Text, StringComparison.Ordinal);
        Assert.True(generation.Finished.CompletionTokens > 0);
    }

    [Fact]
    public void A_grammar_sampler_refuses_a_second_accept()
    {
        using var weights = LLama.LLamaWeights.LoadFromFile(new LLama.Common.ModelParams(tiny.Path) { ContextSize = 256, LoadMode = LLama.Native.LLamaLoadMode.MemoryMap });
        var request = TinyTextModel.Ask("Hi") with { Grammar = "root ::= \"x\"" };
        var grammar = SamplerFactory.ValidateGrammar(request, TinyModels.VocabSize, _ => null)!;
        using var sampler = SamplerFactory.CreateConstrained(new SamplingOptions(), TinyModels.VocabSize, request, grammar, weights.NativeHandle);

        Assert.Throws<InvalidOperationException>(() => sampler.Accept((LLama.Native.LLamaToken)TinyModels.ByteTokenId((byte)'x')));
    }
}
