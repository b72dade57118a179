using System.Text.Json;

namespace Nexa.Tests.Fixtures.Onnx;

/// <summary>
/// A tiny CLIP tokenizer folder built as CLIP's own is: the 256 byte characters (GPT-2's byte → unicode table, in
/// its order, so "!" is 0 and "a&lt;/w&gt;" is 320 as in the real vocabulary), the same 256 with the end-of-word
/// mark, one entry per merge in merge order, then &lt;|startoftext|&gt; and &lt;|endoftext|&gt;.
/// </summary>
public static class TinyClipVocabulary
{
    /// <summary>The merges, in rank order; each adds its result to the vocabulary (ids from 512).</summary>
    public static readonly string[] Merges =
    [
        "c a", "ca t</w>", "d o", "do g</w>", "p h", "o t", "ph ot", "phot o</w>", "o f</w>", "r e", "re d</w>",
    ];

    public static int FirstMergeId => 512;

    public static int BosId => 512 + Merges.Length;

    public static int EosId => BosId + 1;

    public static int Size => EosId + 1;

    /// <summary>The byte characters in CLIP's vocabulary order (bytes_to_unicode).</summary>
    public static IReadOnlyList<string> ByteCharacters()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToList();
        var chars = printable.Select(b => ((char)b).ToString()).ToList();
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!printable.Contains(b))
            {
                chars.Add(((char)(256 + extra++)).ToString());
            }
        }

        return chars;
    }

    /// <summary>Writes vocab.json, merges.txt, tokenizer_config.json (with <paramref name="padToken"/>) and special_tokens_map.json.</summary>
    public static IReadOnlyList<string> Write(string folder, string padToken)
    {
        Directory.CreateDirectory(folder);
        var vocab = new Dictionary<string, int>();
        var bytes = ByteCharacters();
        foreach (var c in bytes)
        {
            vocab[c] = vocab.Count;
        }

        foreach (var c in bytes)
        {
            vocab[c + "</w>"] = vocab.Count;
        }

        foreach (var merge in Merges)
        {
            vocab[merge.Replace(" ", "", StringComparison.Ordinal)] = vocab.Count;
        }

        vocab["<|startoftext|>"] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        var files = new List<string>
        {
            Write(folder, "vocab.json", JsonSerializer.Serialize(vocab)),
            Write(folder, "merges.txt", "#version: 0.2\n" + string.Join("\n", Merges) + "\n"),
            Write(folder, "tokenizer_config.json", JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["tokenizer_class"] = "CLIPTokenizer",
                ["model_max_length"] = 77,
                ["do_lower_case"] = true,
                ["bos_token"] = "<|startoftext|>",
                ["eos_token"] = "<|endoftext|>",
                ["unk_token"] = "<|endoftext|>",
                ["pad_token"] = padToken,
            })),
            Write(folder, "special_tokens_map.json", JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["bos_token"] = "<|startoftext|>",
                ["eos_token"] = "<|endoftext|>",
                ["unk_token"] = "<|endoftext|>",
                ["pad_token"] = padToken,
            })),
        };
        return files;
    }

    private static string Write(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
