using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Tiny llama-architecture GGUF models with random weights that real llama.cpp loads and runs.
/// The chat model has a SentencePiece ("llama") vocabulary laid out like Llama 2's — &lt;unk&gt;,
/// &lt;s&gt;, &lt;/s&gt;, then the 256 byte tokens — followed by ChatML's control tokens and a few
/// ordinary pieces, so any text tokenizes (through byte fallback) and ChatML prompts work.
/// </summary>
public static class TinyModels
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public const int UnknownId = 0;
    public const int BosId = 1;

    /// <summary>&lt;/s&gt;: present, but not the end-of-sequence token of the chat model.</summary>
    public const int EndOfSentenceId = 2;

    /// <summary>&lt;0x00&gt;; the byte b is token <c>FirstByteId + b</c>.</summary>
    public const int FirstByteId = 3;

    public const int ImStartId = FirstByteId + 256;

    /// <summary>&lt;|im_end|&gt;, the model's EOS (and EOT).</summary>
    public const int ImEndId = ImStartId + 1;

    public const int ContextLength = 2048;
    public const int BlockCount = 2;
    public const int DefaultEmbeddingLength = 64;

    /// <summary>Width of one attention head; the head count follows from the embedding length.</summary>
    public const int HeadDimension = 16;

    // llama.cpp's token types (llama_token_type).
    private const int Normal = 1;
    private const int Unknown = 2;
    private const int Control = 3;
    private const int Byte = 6;

    private static readonly string[] Pieces = ["▁", "e", "t", "a", "o", "he", "▁t", "▁the", "in", "er", "▁a", "!"];

    /// <summary>The chat model's tokens, by id.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
    [
        "<unk>", "<s>", "</s>",
        .. Enumerable.Range(0, 256).Select(b => $"<0x{b:X2}>"),
        "<|im_start|>", "<|im_end|>",
        .. Pieces,
    ];

    public static int VocabSize => Vocabulary.Count;

    public static int ByteTokenId(byte value) => FirstByteId + value;

    /// <summary>
    /// Writes a chat model (llama architecture, 2 blocks, ChatML) with weights drawn from
    /// <c>new Random(seed)</c>, and returns <paramref name="path"/>. About 0.4 MB at the defaults;
    /// the size grows with the square of <paramref name="embeddingLength"/>.
    /// </summary>
    /// <param name="chatTemplate">Written as <c>tokenizer.chat_template</c>; null writes none.</param>
    /// <param name="embeddingLength">A multiple of 32 (Q8_0 rows and 16-wide heads need it).</param>
    /// <param name="weightType">F32, F16 or Q8_0 for the matrices; norms always stay F32, as llama.cpp's quantizer leaves them.</param>
    public static string WriteChatModel(string path, int seed = 1, string? chatTemplate = ChatMlTemplate,
        int embeddingLength = DefaultEmbeddingLength, GgmlType weightType = GgmlType.F32)
    {
        if (embeddingLength <= 0 || embeddingLength % 32 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(embeddingLength), embeddingLength, "must be a positive multiple of 32");
        }

        if (weightType is not (GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0))
        {
            throw new ArgumentOutOfRangeException(nameof(weightType), weightType, "must be F32, F16 or Q8_0");
        }

        var embd = embeddingLength;
        var heads = embd / HeadDimension;
        var kvHeads = Math.Max(1, heads / 2);
        var kvWidth = kvHeads * HeadDimension;
        var feedForward = embd * 2;
        var vocab = VocabSize;

        var gguf = new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddString("general.name", $"nexa-tiny-chat-{seed}")
            .AddUInt32("general.file_type", weightType switch { GgmlType.F16 => 1u, GgmlType.Q8_0 => 7u, _ => 0u })
            .AddUInt32("general.quantization_version", 2)
            .AddUInt32("llama.context_length", ContextLength)
            .AddUInt32("llama.embedding_length", (uint)embd)
            .AddUInt32("llama.block_count", BlockCount)
            .AddUInt32("llama.feed_forward_length", (uint)feedForward)
            .AddUInt32("llama.attention.head_count", (uint)heads)
            .AddUInt32("llama.attention.head_count_kv", (uint)kvHeads)
            .AddUInt32("llama.rope.dimension_count", HeadDimension)
            .AddFloat32("llama.rope.freq_base", 10000f)
            .AddFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .AddUInt32("llama.vocab_size", (uint)vocab)
            .AddString("tokenizer.ggml.model", "llama")
            .AddStringArray("tokenizer.ggml.tokens", Vocabulary)
            .AddFloat32Array("tokenizer.ggml.scores", Vocabulary.Select((_, id) => Score(id)))
            .AddInt32Array("tokenizer.ggml.token_type", Vocabulary.Select((_, id) => TokenType(id)))
            .AddUInt32("tokenizer.ggml.bos_token_id", BosId)
            .AddUInt32("tokenizer.ggml.eos_token_id", ImEndId)
            .AddUInt32("tokenizer.ggml.unknown_token_id", UnknownId)
            .AddBool("tokenizer.ggml.add_bos_token", true)
            .AddBool("tokenizer.ggml.add_eos_token", false)
            // SentencePiece would put "▁" before the text after every special token, so
            // "<|im_start|>user" would become <|im_start|> ▁ u s er; ChatML models turn it off.
            .AddBool("tokenizer.ggml.add_space_prefix", false);
        if (chatTemplate is not null)
        {
            gguf.AddString("tokenizer.chat_template", chatTemplate);
        }

        var random = new Random(seed);
        gguf.AddTensor("token_embd.weight", [embd, vocab], weightType, Weights(random, embd * vocab, 1f));
        for (var layer = 0; layer < BlockCount; layer++)
        {
            var block = $"blk.{layer}";
            gguf.AddTensor($"{block}.attn_norm.weight", [embd], GgmlType.F32, Norm(embd))
                .AddTensor($"{block}.attn_q.weight", [embd, embd], weightType, Matrix(random, embd, embd))
                .AddTensor($"{block}.attn_k.weight", [embd, kvWidth], weightType, Matrix(random, embd, kvWidth))
                .AddTensor($"{block}.attn_v.weight", [embd, kvWidth], weightType, Matrix(random, embd, kvWidth))
                .AddTensor($"{block}.attn_output.weight", [embd, embd], weightType, Matrix(random, embd, embd))
                .AddTensor($"{block}.ffn_norm.weight", [embd], GgmlType.F32, Norm(embd))
                .AddTensor($"{block}.ffn_gate.weight", [embd, feedForward], weightType, Matrix(random, embd, feedForward))
                .AddTensor($"{block}.ffn_up.weight", [embd, feedForward], weightType, Matrix(random, embd, feedForward))
                .AddTensor($"{block}.ffn_down.weight", [feedForward, embd], weightType, Matrix(random, feedForward, embd));
        }

        gguf.AddTensor("output_norm.weight", [embd], GgmlType.F32, Norm(embd))
            .AddTensor("output.weight", [embd, vocab], weightType, Matrix(random, embd, vocab));
        return gguf.WriteTo(path);
    }

    private static float Score(int id) => id >= ImEndId + 1 ? -(id - ImEndId) : 0f;

    private static int TokenType(int id) => id switch
    {
        UnknownId => Unknown,
        BosId or EndOfSentenceId or ImStartId or ImEndId => Control,
        < ImStartId => Byte,
        _ => Normal,
    };

    private static float[] Norm(int length) => Enumerable.Repeat(1f, length).ToArray();

    /// <summary>A matrix with rows of <paramref name="fanIn"/>, scaled so activations neither vanish nor explode.</summary>
    private static float[] Matrix(Random random, int fanIn, int rows) =>
        Weights(random, fanIn * rows, 2f / MathF.Sqrt(fanIn));

    private static float[] Weights(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((float)random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }
}
