using System.Text;
using LLama;
using LLama.Common;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

/// <summary>
/// Long text is tokenized in linear time with exactly llama.cpp's tokens, and text that cannot fit the context is
/// refused before it is tokenized at all.
/// </summary>
public sealed class LinearTokenizerTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    // Known to the tiny vocabulary (ASCII, its pieces) and not (accents, emoji, CJK: byte fallback only).
    private static readonly string[] Units = ["a", "e", "the", " ", "  ", "he", "in", "!", "x", "\n", "▁", "é", "ü", "😀", "中", "é", "\t", "er"];

    public static TheoryData<int, bool> Texts => new()
    {
        { 1, false }, { 2, false }, { 3, true }, { 4, true }, { 5, false },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Long_text_gets_llama_cpps_own_tokens(int seed, bool spacePrefix)
    {
        using var dir = new TempDir();
        var path = TinyModels.WriteChatModel(dir["chat.gguf"]);
        if (spacePrefix)
            ChatPromptTests.FlipSpacePrefix(path);
        using var weights = Load(path);
        var tokenizer = new LinearTokenizer(weights, VocabularyProfile.Read(weights));
        var text = RandomText(new Random(seed), 30_000);

        var tokens = tokenizer.Tokenize(text);

        Assert.True(tokenizer.CutsText);
        Assert.Equal(weights.Tokenize(text, false, false, Encoding.UTF8), tokens);
    }

    [Fact]
    public void Text_made_only_of_characters_no_piece_holds_is_spelled_in_bytes_linearly()
    {
        using var weights = Load(tiny.Path);
        var tokenizer = new LinearTokenizer(weights, VocabularyProfile.Read(weights));
        var text = string.Concat(Enumerable.Repeat("é", 50_000));

        var tokens = tokenizer.Tokenize(text);

        Assert.Equal(100_000, tokens.Length);
        Assert.Equal(weights.Tokenize(text[..5000], false, false, Encoding.UTF8), tokens[..10_000]);
    }

    [Fact]
    public void No_text_has_fewer_tokens_than_its_bytes_over_the_longest_piece()
    {
        using var weights = Load(tiny.Path);
        var profile = VocabularyProfile.Read(weights);
        var random = new Random(11);

        Assert.Equal(4, profile.MaxBytesPerToken); // "▁the" is " the"
        for (var i = 0; i < 50; i++)
        {
            var text = RandomText(random, random.Next(1, 2000));
            var tokens = weights.Tokenize(text, false, false, Encoding.UTF8);
            Assert.True(tokens.Length >= profile.MinTokens(Encoding.UTF8.GetByteCount(text)), text);
        }
    }

    [Theory]
    [InlineData("é", 500_000)]
    [InlineData("😀", 200_000)]
    [InlineData("a", 1_000_000)]
    public async Task Text_that_cannot_fit_is_refused_before_it_is_tokenized(string unit, int repeat)
    {
        var request = TinyTextModel.Ask(string.Concat(Enumerable.Repeat(unit, repeat)));

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, request));

        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Contains("at least", error.Message);
    }

    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length + 8);
        while (text.Length < length)
        {
            var unit = Units[random.Next(Units.Length)];
            // Long runs of one unit too: that is where the cuts fall.
            text.Insert(text.Length, unit, random.Next(8) == 0 ? random.Next(50, 3000) : 1);
        }
        return text.ToString();
    }

    private static LLamaWeights Load(string path) =>
        LLamaWeights.LoadFromFile(new ModelParams(path) { ContextSize = 256, LoadMode = LLama.Native.LLamaLoadMode.MemoryMap });
}
