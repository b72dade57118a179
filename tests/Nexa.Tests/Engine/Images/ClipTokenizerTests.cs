using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Fixtures.Onnx;

namespace Nexa.Tests.Engine.Images;

/// <summary>
/// CLIP BPE on the tiny vocabulary (<see cref="TinyClipVocabulary"/>: byte characters in CLIP's order, so "!" is 0,
/// "a&lt;/w&gt;" 320, then one id per merge from 512). Expected ids worked out by hand from the merge list.
/// </summary>
public sealed class ClipTokenizerTests : IDisposable
{
    private readonly TempDir _dir = new();

    private ClipTokenizer Load(string pad = "<|endoftext|>")
    {
        TinyClipVocabulary.Write(_dir["tok"], pad);
        return ClipTokenizer.Load(_dir["tok"]);
    }

    public void Dispose() => _dir.Dispose();

    private static int Byte(char c) => TinyClipVocabulary.ByteCharacters().ToList().IndexOf(c.ToString());

    private static int EndOfWord(char c) => 256 + Byte(c);

    [Fact]
    public void Whole_words_merge_into_their_vocabulary_entries()
    {
        var tokenizer = Load();

        // a, photo, of, a, cat, ! — each piece ends a word.
        Assert.Equal([320, 519, 520, 320, 513, 256], tokenizer.Tokenize("A photo of a cat!"));
        Assert.Equal(320, EndOfWord('a'));
    }

    [Fact]
    public void Merges_apply_by_rank_and_respect_the_end_of_word_mark()
    {
        var tokenizer = Load();

        // "cats": "c a" merges, but "ca t</w>" needs t at the word's end, so t and s</w> stay apart.
        Assert.Equal([512, Byte('t'), EndOfWord('s')], tokenizer.Tokenize("cats"));
        // "don't": CLIP's pattern splits the contraction off.
        Assert.Equal([514, EndOfWord('n'), Byte('\''), EndOfWord('t')], tokenizer.Tokenize("don't"));
    }

    [Fact]
    public void Text_is_unescaped_lowercased_and_whitespace_collapsed()
    {
        var tokenizer = Load();

        Assert.Equal([515, 522, EndOfWord('&')], tokenizer.Tokenize("  dog \n\t RED &amp; "));
    }

    [Fact]
    public void Non_ascii_text_is_split_into_byte_characters()
    {
        var tokenizer = Load();

        // é is UTF-8 C3 A9: two byte characters, the last one marked as the word's end.
        Assert.Equal([Byte((char)0xC3), EndOfWord((char)0xA9)], tokenizer.Tokenize("é"));
    }

    [Fact]
    public void Encoding_frames_with_bos_eos_and_pads_to_77_with_the_configured_pad()
    {
        var withEos = Load();
        var ids = withEos.Encode("a cat");
        Assert.Equal(77, ids.Length);
        Assert.Equal([TinyClipVocabulary.BosId, 320, 513, TinyClipVocabulary.EosId], ids[..4]);
        Assert.All(ids[4..], id => Assert.Equal(TinyClipVocabulary.EosId, id));

        var withBang = Load(pad: "!");
        Assert.All(withBang.Encode("a cat")[4..], id => Assert.Equal(0, id));
        Assert.Equal([TinyClipVocabulary.BosId, TinyClipVocabulary.EosId, 0], withBang.Encode("")[..3]);
    }

    [Fact]
    public void Long_prompts_are_truncated_to_75_tokens_between_bos_and_eos()
    {
        var tokenizer = Load();

        var ids = tokenizer.Encode(string.Join(' ', Enumerable.Repeat("a", 100)));

        Assert.Equal(77, ids.Length);
        Assert.Equal(TinyClipVocabulary.BosId, ids[0]);
        Assert.All(ids[1..76], id => Assert.Equal(320, id));
        Assert.Equal(TinyClipVocabulary.EosId, ids[76]);
    }

    [Fact]
    public void Special_token_text_maps_to_its_id()
    {
        var tokenizer = Load();

        Assert.Equal([320, TinyClipVocabulary.EosId], tokenizer.Tokenize("a<|endoftext|>"));
    }

    [Fact]
    public void A_folder_without_merges_fails_to_load()
    {
        TinyClipVocabulary.Write(_dir["tok"], "!");
        File.Delete(_dir["tok/merges.txt"]);

        var error = Assert.Throws<EngineException>(() => ClipTokenizer.Load(_dir["tok"]));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("merges.txt", error.Message);
    }
}
