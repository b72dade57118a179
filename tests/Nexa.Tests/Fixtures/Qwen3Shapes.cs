using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>The sizes of a Qwen3-architecture model (llama.cpp's LLM_ARCH_QWEN3).</summary>
/// <param name="HeadDimension">Width of one attention head (qwen3.attention.key_length and value_length).</param>
public sealed record Qwen3Shape(int Blocks, int Embedding, int Heads, int KvHeads, int HeadDimension, int FeedForward, int Vocabulary, int ContextLength)
{
    /// <summary>Qwen3-0.6B: 28 blocks, 1024 wide, 16 heads / 8 KV heads of 128, FFN 3072, 151,936 tokens, tied embeddings.</summary>
    public static Qwen3Shape Qwen3_0_6B { get; } = new(28, 1024, 16, 8, 128, 3072, 151_936, 40_960);

    /// <summary>A 2-block, 64-wide model with the same tensors and tokenizer, for tests (a few hundred KB).</summary>
    public static Qwen3Shape Tiny { get; } = new(2, 64, 4, 2, 16, 128, 1024, 2048);
}

/// <summary>A real byte-level BPE tokenizer for <see cref="Qwen3Shapes.Write"/>: tokens by id, llama.cpp token types, merges.</summary>
public sealed record Qwen3Vocabulary(IReadOnlyList<string> Tokens, IReadOnlyList<int> Types, IReadOnlyList<string> Merges, int BosId, int EosId, string ChatTemplate);

/// <summary>
/// Writes a Qwen3-architecture GGUF with random Q8_0 weights and a byte-level BPE ("gpt2", pre "qwen2") vocabulary
/// of the shape's exact size, so llama.cpp does the same work per token as for the real model: speed depends on
/// shapes only. The weights are random int8s drawn straight into Q8_0 blocks and streamed to disk, so the 600 MB
/// model is never held in memory. The vocabulary is the 256 byte symbols, ChatML's control tokens, then filler
/// words; merges exist only to build the filler words, so every byte of ASCII text is one token (a prompt of N ASCII
/// characters is N tokens).
/// <para>
/// The filler words are " ж" followed by Latin letters, every prefix of one being a word too (a trie, listed breadth
/// first), each with the merge that appends its last letter. So an answer made of them, detokenized and sent back
/// as chat history, tokenizes into the very same tokens, as a real model's answers mostly do: the prompt cache can
/// then reuse a whole previous turn, answer included.
/// </para>
/// </summary>
public static class Qwen3Shapes
{
    public const int EndOfTextId = 256;
    public const int ImStartId = 257;

    /// <summary>&lt;|im_end|&gt;: EOS and EOT, as in Qwen3.</summary>
    public const int ImEndId = 258;

    private const int Q8Block = 32;
    private const int Q8BlockBytes = 34;

    // llama.cpp's token types (llama_token_type).
    private const int Normal = 1;
    private const int Control = 3;

    /// <summary>The tokens of a vocabulary of <paramref name="size"/>, by id.</summary>
    public static IReadOnlyList<string> Vocabulary(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, ImEndId + 1);
        var tokens = new List<string>(size);
        tokens.AddRange(ByteSymbols());
        tokens.AddRange(["<|endoftext|>", "<|im_start|>", "<|im_end|>"]);
        tokens.AddRange(FillerWords(size - tokens.Count).Select(w => w.Piece));
        return tokens;
    }

    /// <summary>The merges that build every filler word from its parent and last symbol, parents first.</summary>
    public static IReadOnlyList<string> Merges(int size) =>
        [.. FillerWords(size - ImEndId - 1).Select(w => $"{w.Left} {w.Right}")];

    // Pieces are written in the byte alphabet (llama.cpp decodes every character of a piece through it): "Ġ" is
    // the space byte, "Ð¶" the two bytes of "ж" (U+0436). Breadth first: " ж", then " жa".." жz", " жaa"…
    private static IEnumerable<(string Piece, string Left, string Right)> FillerWords(int count)
    {
        if (count <= 0)
            yield break;
        yield return ("ĠÐ", "Ġ", "Ð");
        if (count == 1)
            yield break;
        yield return ("ĠÐ¶", "ĠÐ", "¶");
        var produced = 2;
        var level = new List<string> { "ĠÐ¶" };
        while (produced < count)
        {
            var next = new List<string>(level.Count * 26);
            foreach (var parent in level)
            {
                for (var letter = 'a'; letter <= 'z' && produced < count; letter++)
                {
                    var word = parent + letter;
                    next.Add(word);
                    produced++;
                    yield return (word, parent, letter.ToString());
                }
            }
            level = next;
        }
    }

    /// <summary>Writes the model to <paramref name="path"/> and returns it. Weights come from <c>new Random(seed)</c>.</summary>
    /// <param name="vocabulary">A real tokenizer to write instead of the made-up one (its size must be the shape's).</param>
    public static string Write(string path, Qwen3Shape shape, int seed = 1, Qwen3Vocabulary? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var width in new[] { shape.Embedding, shape.FeedForward, shape.Heads * shape.HeadDimension })
        {
            if (width % Q8Block != 0)
            {
                throw new ArgumentException($"every row length must be a multiple of {Q8Block} for Q8_0; {width} is not", nameof(shape));
            }
        }

        var embd = shape.Embedding;
        var qWidth = shape.Heads * shape.HeadDimension;
        var kvWidth = shape.KvHeads * shape.HeadDimension;
        if (vocabulary is not null && vocabulary.Tokens.Count != shape.Vocabulary)
        {
            throw new ArgumentException($"the vocabulary has {vocabulary.Tokens.Count} tokens, the shape {shape.Vocabulary}", nameof(vocabulary));
        }

        var tokens = vocabulary?.Tokens ?? Vocabulary(shape.Vocabulary);
        const string arch = "qwen3";
        var gguf = new GgufWriter()
            .AddString("general.architecture", arch)
            .AddString("general.name", $"nexa-qwen3-shapes-{shape.Blocks}x{embd}")
            .AddUInt32("general.file_type", 7) // MOSTLY_Q8_0
            .AddUInt32("general.quantization_version", 2)
            .AddUInt32($"{arch}.block_count", (uint)shape.Blocks)
            .AddUInt32($"{arch}.context_length", (uint)shape.ContextLength)
            .AddUInt32($"{arch}.embedding_length", (uint)embd)
            .AddUInt32($"{arch}.feed_forward_length", (uint)shape.FeedForward)
            .AddUInt32($"{arch}.attention.head_count", (uint)shape.Heads)
            .AddUInt32($"{arch}.attention.head_count_kv", (uint)shape.KvHeads)
            .AddUInt32($"{arch}.attention.key_length", (uint)shape.HeadDimension)
            .AddUInt32($"{arch}.attention.value_length", (uint)shape.HeadDimension)
            .AddFloat32($"{arch}.rope.freq_base", 1_000_000f)
            .AddFloat32($"{arch}.attention.layer_norm_rms_epsilon", 1e-6f)
            .AddString("tokenizer.ggml.model", "gpt2")
            .AddString("tokenizer.ggml.pre", "qwen2")
            .AddStringArray("tokenizer.ggml.tokens", tokens)
            .AddInt32Array("tokenizer.ggml.token_type", vocabulary?.Types ?? tokens.Select((_, id) => id is EndOfTextId or ImStartId or ImEndId ? Control : Normal))
            .AddStringArray("tokenizer.ggml.merges", vocabulary?.Merges ?? Merges(shape.Vocabulary))
            .AddUInt32("tokenizer.ggml.eos_token_id", (uint)(vocabulary?.EosId ?? ImEndId))
            .AddUInt32("tokenizer.ggml.padding_token_id", (uint)(vocabulary?.BosId ?? EndOfTextId))
            .AddUInt32("tokenizer.ggml.bos_token_id", (uint)(vocabulary?.BosId ?? EndOfTextId))
            .AddBool("tokenizer.ggml.add_bos_token", false)
            .AddString("tokenizer.chat_template", vocabulary?.ChatTemplate ?? TinyModels.ChatMlTemplate);

        var random = new Random(seed);
        // Tied embeddings: token_embd is also the output matrix, as in Qwen3-0.6B (no output.weight).
        Q8(gguf, random, "token_embd.weight", embd, shape.Vocabulary, 1f);
        Norm(gguf, "output_norm.weight", embd);
        for (var layer = 0; layer < shape.Blocks; layer++)
        {
            var block = $"blk.{layer}";
            Norm(gguf, $"{block}.attn_norm.weight", embd);
            Q8(gguf, random, $"{block}.attn_q.weight", embd, qWidth);
            Q8(gguf, random, $"{block}.attn_k.weight", embd, kvWidth);
            Q8(gguf, random, $"{block}.attn_v.weight", embd, kvWidth);
            Q8(gguf, random, $"{block}.attn_output.weight", qWidth, embd);
            Norm(gguf, $"{block}.attn_q_norm.weight", shape.HeadDimension);
            Norm(gguf, $"{block}.attn_k_norm.weight", shape.HeadDimension);
            Norm(gguf, $"{block}.ffn_norm.weight", embd);
            Q8(gguf, random, $"{block}.ffn_gate.weight", embd, shape.FeedForward);
            Q8(gguf, random, $"{block}.ffn_up.weight", embd, shape.FeedForward);
            Q8(gguf, random, $"{block}.ffn_down.weight", shape.FeedForward, embd);
        }

        return gguf.WriteTo(path);
    }

    private static void Norm(GgufWriter gguf, string name, int length) =>
        gguf.AddTensor(name, [length], GgmlType.F32, Enumerable.Repeat(1f, length).ToArray());

    /// <summary>
    /// A matrix of <paramref name="rows"/> rows of <paramref name="fanIn"/>, as Q8_0 blocks of random int8s under one
    /// scale, so values spread over ±<paramref name="range"/> (default 2/√fanIn: activations neither vanish nor explode).
    /// Each tensor gets its own seed from <paramref name="random"/> now, so the file does not depend on write order.
    /// </summary>
    private static void Q8(GgufWriter gguf, Random random, string name, int fanIn, int rows, float? range = null)
    {
        var blocks = (long)fanIn * rows / Q8Block;
        var scale = BitConverter.GetBytes((Half)((range ?? 2f / MathF.Sqrt(fanIn)) / 127f));
        var seed = random.Next();
        gguf.AddStreamedTensor(name, [fanIn, rows], GgmlType.Q8_0, blocks * Q8BlockBytes, stream =>
        {
            var source = new Random(seed);
            var chunk = new byte[Q8BlockBytes * 4096];
            for (var done = 0L; done < blocks; done += 4096)
            {
                var count = (int)Math.Min(4096, blocks - done);
                var span = chunk.AsSpan(0, count * Q8BlockBytes);
                source.NextBytes(span);
                for (var b = 0; b < count; b++)
                {
                    scale.CopyTo(span[(b * Q8BlockBytes)..]);
                }

                stream.Write(span);
            }
        });
    }

    /// <summary>GPT-2's byte-level alphabet: each byte as the printable character byte-level BPE spells it with.</summary>
    private static IEnumerable<string> ByteSymbols()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            yield return new string((char)(printable.Contains(b) ? b : next++), 1);
        }
    }
}
