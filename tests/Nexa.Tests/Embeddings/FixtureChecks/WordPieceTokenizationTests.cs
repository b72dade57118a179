using LLama;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Embeddings.FixtureChecks;

/// <summary>llama.cpp's WordPiece tokenizer over the tiny BERT agrees with the reference tokenizer.</summary>
public sealed class WordPieceTokenizationTests : IClassFixture<WordPieceTokenizationTests.Model>
{
    private static readonly WordPieceReference Reference = new(TinyBertModels.Vocabulary);
    private readonly LLamaWeights _weights;

    public WordPieceTokenizationTests(Model model) => _weights = model.Weights;

    [Theory]
    [InlineData("Hello, world!")]
    [InlineData("Café déjà vu")]
    [InlineData("Cafe\u0301 de\u0301ja\u0300 vu")] // the accents as combining marks
    [InlineData("naïve über résumé")]
    [InlineData("xylophone#zq")]
    [InlineData("There are 42 cats, 100 dogs and 3.5 pets.")]
    [InlineData("HeLLo WoRLD, The Quick BROWN Fox")]
    [InlineData("playing played plays player")]
    [InlineData("$5.00 e-mail don't (yes) [no] {maybe} a/b a_b ~tilde `tick`")]
    [InlineData("¿qué? … “quoted” ‘single’ €5")]
    [InlineData("中文 and 你好")]
    [InlineData("emoji 😀 and ß and Σ")]
    [InlineData("İstanbul")]
    [InlineData("tab\there\nnew\r\nline  spaces\u00A0nbsp\u3000ideographic\u2028separator")]
    [InlineData("zero\u200Bwidth soft\u00ADhyphen nul\u0000byte")]
    [InlineData("")]
    [InlineData("   ")]
    public void Llama_cpp_tokens_equal_the_reference_tokenizers(string text)
    {
        Assert.Equal(Reference.Encode(text), LlamaBert.Tokenize(_weights, text));
    }

    [Theory]
    [InlineData("Hello, world!", "hello , world !")]
    [InlineData("Café déjà vu", "caf ##e deja vu")]
    [InlineData("xylophone#zq", "xylo ##phone # [UNK]")]
    [InlineData("Playing 42", "play ##ing 4 ##2")]
    [InlineData("中文", "中 文")]
    [InlineData("box", "[UNK]")]
    public void Reference_pieces_words_longest_match_first(string text, string pieces)
    {
        Assert.Equal(pieces.Split(' '), Reference.Tokenize(text).Select(id => TinyBertModels.Vocabulary[id]));
    }

    [Theory]
    [InlineData("[CLS] hello [SEP] world [MASK]")]
    [InlineData("the [UNK] cat[SEP]")]
    public void Special_token_text_is_a_special_token_only_when_parsed_as_special(string text)
    {
        Assert.Equal(Reference.Encode(text, parseSpecial: true), LlamaBert.Tokenize(_weights, text, special: true));
        Assert.Equal(Reference.Encode(text, parseSpecial: false), LlamaBert.Tokenize(_weights, text, special: false));
        Assert.NotEqual(LlamaBert.Tokenize(_weights, text, special: true), LlamaBert.Tokenize(_weights, text, special: false));
    }

    [Fact]
    public void A_rerank_pair_is_cls_query_sep_document_sep()
    {
        var pair = LlamaBert.TokenizePair(_weights, "What is the capital of France?", "Paris is the capital of France.");

        Assert.Equal(Reference.EncodePair("What is the capital of France?", "Paris is the capital of France."), pair);
        Assert.Equal(TinyBertModels.ClsId, pair[0]);
        Assert.Equal(2, pair.Count(t => t == TinyBertModels.SepId));
        Assert.Equal(TinyBertModels.SepId, pair[^1]);
    }

    [Fact]
    public void Llama_cpp_pieces_a_word_of_more_than_100_characters_where_BERT_says_unknown()
    {
        var word = new string('a', WordPieceReference.MaxCharsPerWord + 1);

        Assert.Equal([TinyBertModels.ClsId, TinyBertModels.UnknownId, TinyBertModels.SepId], Reference.Encode(word));
        Assert.Equal(
            [TinyBertModels.ClsId, TinyBertModels.TokenId("a"), .. Enumerable.Repeat(TinyBertModels.TokenId("##a"), 100), TinyBertModels.SepId],
            LlamaBert.Tokenize(_weights, word));
        Assert.Equal(Reference.Encode(word[1..]), LlamaBert.Tokenize(_weights, word[1..]));
    }

    [Theory]
    [InlineData("a\vb")]
    [InlineData("a\fb")]
    [InlineData("a\u0085b")]
    public void Llama_cpp_splits_at_control_whitespace_that_BERT_deletes(string text)
    {
        Assert.Equal([TinyBertModels.ClsId, TinyBertModels.TokenId("a"), TinyBertModels.TokenId("##b"), TinyBertModels.SepId], Reference.Encode(text));
        Assert.Equal([TinyBertModels.ClsId, TinyBertModels.TokenId("a"), TinyBertModels.TokenId("b"), TinyBertModels.SepId], LlamaBert.Tokenize(_weights, text));
    }

    /// <summary>One tiny BERT loaded once for the class.</summary>
    public sealed class Model : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("nexa-wordpiece-").FullName;

        public Model() => Weights = LlamaBert.Load(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf")));

        public LLamaWeights Weights { get; }

        public void Dispose()
        {
            Weights.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
