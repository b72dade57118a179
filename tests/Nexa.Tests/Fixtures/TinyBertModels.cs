using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Tiny BERT-architecture GGUF models with random weights that real llama.cpp loads and runs: an
/// embedding model (mean or CLS pooling) and a cross-encoder reranker (RANK pooling with a
/// classification head). The vocabulary is an uncased WordPiece one, written the way llama.cpp's
/// converter writes BERT vocabularies, so WordPieceReference over
/// <see cref="Vocabulary"/> and llama.cpp over the file agree on every id. All tensors are F32: an
/// F16 <c>token_types.weight</c> aborts llama.cpp on the first decode.
/// </summary>
public static class TinyBertModels
{
    // llama_pooling_type, as written in bert.pooling_type.
    public const int NoPooling = 0;
    public const int MeanPooling = 1;
    public const int ClsPooling = 2;
    public const int LastPooling = 3;
    public const int RankPooling = 4;

    /// <summary>
    /// Writes no bert.pooling_type: llama.cpp then resolves Unspecified to None, and
    /// <c>GetEmbeddingsSeq</c> reads through a null pointer (a NullReferenceException).
    /// </summary>
    public const int PoolingNotWritten = -1;

    // Deliberately not bert-base-uncased's 0/100/101/102/103, which llama.cpp assumes when a key
    // is missing: a fixture that only worked through those defaults would hide a missing key.
    public const int PadId = 0;
    public const int UnknownId = 1;
    public const int ClsId = 2;
    public const int SepId = 3;
    public const int MaskId = 4;

    public const int DefaultContextLength = 512;
    public const float LayerNormEpsilon = 1e-12f;

    /// <summary>Segment A and B; llama.cpp only ever adds row 0 (segment A).</summary>
    public const int TokenTypeCount = 2;

    // llama.cpp's token types (llama_token_type).
    private const int Normal = 1;
    private const int Control = 3;

    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    // Word-initial pieces beyond the single characters, so that sentences exercise
    // longest-match-first ("playing" → play ##ing, "xylophone" → xylo ##phone).
    private static readonly string[] Words =
    [
        "the", "cat", "dog", "play", "hello", "world", "caf", "deja", "vu", "there", "are", "is",
        "on", "mat", "sat", "run", "quick", "brown", "fox", "jump", "over", "lazy", "what", "which",
        "animal", "pet", "good", "music", "city", "paris", "capital", "of", "france", "berlin",
        "germany", "weather", "today", "sun", "rain", "cold", "warm", "book", "read", "write",
        "code", "data", "model", "search", "query", "doc", "test", "one", "two", "three", "ten",
        "naive", "resume", "uber", "xylo", "zebra", "un", "re", "in", "to", "and", "it", "he", "she",
        "we", "you", "they", "my", "your", "this", "that", "with", "for", "from", "at", "by", "an",
    ];

    // "##" continuation pieces beyond the single characters.
    private static readonly string[] Continuations =
    [
        "##es", "##ing", "##ed", "##er", "##ly", "##lo", "##ld", "##ment", "##tion",
        "##phone", "##able", "##ness", "##ful", "##est", "##al", "##ic", "##ous", "##ty", "##ra",
        "##ve", "##me", "##ch", "##th", "##an", "##on", "##en", "##in", "##ar", "##or", "##ur",
        "##ist", "##ish", "##ize", "##ity", "##00", "##10",
    ];

    /// <summary>
    /// Letters with no "##" continuation piece, so a word that needs one mid-word (the "q" in
    /// "zq", the "x" in "box") cannot be pieced and becomes [UNK] as a whole.
    /// </summary>
    public const string LettersWithoutContinuation = "qxz";

    /// <summary>
    /// The vocabulary in WordPiece form, by id: the specials, ASCII punctuation, digits, letters,
    /// two CJK characters, common words, then "##" continuation pieces. Lower case only (uncased).
    /// </summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary();

    /// <summary>
    /// The same tokens as written to <c>tokenizer.ggml.tokens</c>: llama.cpp's BERT converter turns
    /// a word-initial piece "the" into "▁the" and a continuation "##s" into "s" (its WordPiece
    /// tokenizer prepends "▁" to each word instead of looking up "##" pieces); specials stay as
    /// they are.
    /// </summary>
    public static IReadOnlyList<string> GgufTokens { get; } = [.. Vocabulary.Select(ToGgufToken)];

    public static int VocabSize => Vocabulary.Count;

    /// <summary>
    /// Text that llama.cpp (and the reference) tokenize to exactly <paramref name="tokens"/> ids,
    /// [CLS] and [SEP] included: "the" repeated. Past the context it makes an input too long.
    /// </summary>
    public static string TextWithTokenCount(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        return string.Join(" ", Enumerable.Repeat("the", tokens - 2));
    }

    /// <summary>The id of a WordPiece-form token ("the", "##ing", "[SEP]").</summary>
    public static int TokenId(string piece)
    {
        var id = IndexOf(piece);
        return id >= 0 ? id : throw new ArgumentException($"'{piece}' is not in the tiny BERT vocabulary", nameof(piece));
    }

    /// <summary>
    /// Writes an embedding model and returns <paramref name="path"/>. Weights come from
    /// <c>new Random(seed)</c>; about 0.2 MB at the defaults, most of it position embeddings
    /// (<paramref name="contextLength"/> rows).
    /// </summary>
    /// <param name="pooling">bert.pooling_type: <see cref="MeanPooling"/>, <see cref="ClsPooling"/>, …, or <see cref="PoolingNotWritten"/>.</param>
    /// <param name="contextLength">
    /// bert.context_length, the trained context and the number of position embeddings. An input
    /// longer than it: <see cref="TextWithTokenCount"/>(contextLength + 1).
    /// </param>
    public static string WriteEmbeddingModel(string path, int seed = 1, int hiddenSize = 32, int layers = 2, int heads = 2,
        int pooling = MeanPooling, int contextLength = DefaultContextLength) =>
        Build(seed, hiddenSize, layers, heads, pooling, contextLength, classifier: false, $"nexa-tiny-bert-{seed}").WriteTo(path);

    /// <summary>
    /// Writes a cross-encoder reranker: the same BERT body with RANK pooling and a classification
    /// head (<c>cls.weight</c>/<c>cls.bias</c>, then <c>cls.output.weight</c>/<c>cls.output.bias</c>
    /// to one label). llama.cpp scores a pair formatted as [CLS] query [SEP] document [SEP].
    /// </summary>
    public static string WriteReranker(string path, int seed = 1, int hiddenSize = 32, int layers = 2, int heads = 2,
        int contextLength = DefaultContextLength) =>
        Build(seed, hiddenSize, layers, heads, RankPooling, contextLength, classifier: true, $"nexa-tiny-reranker-{seed}").WriteTo(path);

    private static GgufWriter Build(int seed, int hiddenSize, int layers, int heads, int pooling, int contextLength,
        bool classifier, string name)
    {
        if (hiddenSize <= 0 || heads <= 0 || hiddenSize % heads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, $"must be a positive multiple of heads ({heads})");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(pooling, PoolingNotWritten);

        var h = hiddenSize;
        var feedForward = 4 * h;
        var vocab = VocabSize;
        var gguf = new GgufWriter()
            .AddString("general.architecture", "bert")
            .AddString("general.name", name)
            .AddUInt32("general.file_type", 0)
            .AddUInt32("bert.context_length", (uint)contextLength)
            .AddUInt32("bert.embedding_length", (uint)h)
            .AddUInt32("bert.feed_forward_length", (uint)feedForward)
            .AddUInt32("bert.block_count", (uint)layers)
            .AddUInt32("bert.attention.head_count", (uint)heads)
            .AddFloat32("bert.attention.layer_norm_epsilon", LayerNormEpsilon)
            .AddBool("bert.attention.causal", false)
            .AddString("tokenizer.ggml.model", "bert")
            .AddStringArray("tokenizer.ggml.tokens", GgufTokens)
            .AddInt32Array("tokenizer.ggml.token_type", GgufTokens.Select((_, id) => id <= MaskId ? Control : Normal))
            // Without it llama.cpp refuses the model ("bert model needs to define token type count").
            .AddUInt32("tokenizer.ggml.token_type_count", TokenTypeCount)
            // Without these two llama.cpp silently uses bert-base-uncased's 101 and 102.
            .AddUInt32("tokenizer.ggml.bos_token_id", ClsId)
            .AddUInt32("tokenizer.ggml.seperator_token_id", SepId)
            .AddUInt32("tokenizer.ggml.unknown_token_id", UnknownId)
            .AddUInt32("tokenizer.ggml.padding_token_id", PadId)
            .AddUInt32("tokenizer.ggml.mask_token_id", MaskId)
            // Not read by llama.cpp (it takes [CLS] from bos_token_id), but the converter writes it.
            .AddUInt32("tokenizer.ggml.cls_token_id", ClsId)
            .AddBool("tokenizer.ggml.add_bos_token", true)
            .AddBool("tokenizer.ggml.add_eos_token", false);
        if (pooling != PoolingNotWritten)
        {
            gguf.AddUInt32("bert.pooling_type", (uint)pooling);
        }

        if (classifier)
        {
            // Optional (one label is llama.cpp's default), but the converter writes it.
            gguf.AddStringArray("bert.classifier.output_labels", ["LABEL_0"]);
        }

        var random = new Random(seed);
        gguf.AddTensor("token_embd.weight", [h, vocab], GgmlType.F32, Uniform(random, h * vocab, 1f))
            .AddTensor("token_types.weight", [h, TokenTypeCount], GgmlType.F32, Uniform(random, h * TokenTypeCount, 0.5f))
            .AddTensor("position_embd.weight", [h, contextLength], GgmlType.F32, Uniform(random, h * contextLength, 0.5f))
            .AddTensor("token_embd_norm.weight", [h], GgmlType.F32, NormWeight(random, h))
            .AddTensor("token_embd_norm.bias", [h], GgmlType.F32, Uniform(random, h, 0.1f));
        for (var layer = 0; layer < layers; layer++)
        {
            var block = $"blk.{layer}";
            AddLinear(gguf, random, $"{block}.attn_q", h, h);
            AddLinear(gguf, random, $"{block}.attn_k", h, h);
            AddLinear(gguf, random, $"{block}.attn_v", h, h);
            AddLinear(gguf, random, $"{block}.attn_output", h, h);
            gguf.AddTensor($"{block}.attn_output_norm.weight", [h], GgmlType.F32, NormWeight(random, h))
                .AddTensor($"{block}.attn_output_norm.bias", [h], GgmlType.F32, Uniform(random, h, 0.1f));
            AddLinear(gguf, random, $"{block}.ffn_up", h, feedForward);
            AddLinear(gguf, random, $"{block}.ffn_down", feedForward, h);
            gguf.AddTensor($"{block}.layer_output_norm.weight", [h], GgmlType.F32, NormWeight(random, h))
                .AddTensor($"{block}.layer_output_norm.bias", [h], GgmlType.F32, Uniform(random, h, 0.1f));
        }

        if (classifier)
        {
            AddLinear(gguf, random, "cls", h, h);
            AddLinear(gguf, random, "cls.output", h, 1);
        }

        return gguf;
    }

    /// <summary>A linear layer: weight {fanIn, fanOut} (ggml order, one row of fanIn per output) and bias {fanOut}.</summary>
    private static void AddLinear(GgufWriter gguf, Random random, string name, int fanIn, int fanOut) =>
        gguf.AddTensor($"{name}.weight", [fanIn, fanOut], GgmlType.F32, Uniform(random, fanIn * fanOut, 1.5f / MathF.Sqrt(fanIn)))
            .AddTensor($"{name}.bias", [fanOut], GgmlType.F32, Uniform(random, fanOut, 0.1f));

    /// <summary>LayerNorm gains near 1, not exactly 1, so a reference that skipped them would disagree.</summary>
    private static float[] NormWeight(Random random, int length) =>
        [.. Uniform(random, length, 0.2f).Select(v => 1f + v)];

    private static float[] Uniform(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((float)random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }

    private static List<string> BuildVocabulary()
    {
        List<string> tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
        tokens.AddRange(Punctuation.Select(c => c.ToString()));
        tokens.AddRange(Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        tokens.AddRange(Enumerable.Range('a', 26).Select(c => ((char)c).ToString()));
        tokens.AddRange(["中", "文"]);
        tokens.AddRange(Words.Where(w => w.Length > 1));
        tokens.AddRange(Enumerable.Range(0, 10).Select(d => $"##{d}"));
        tokens.AddRange(Enumerable.Range('a', 26).Select(c => (char)c).Where(c => !LettersWithoutContinuation.Contains(c)).Select(c => $"##{c}"));
        tokens.AddRange(Continuations);
        var duplicate = tokens.GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"the tiny BERT vocabulary has '{duplicate.Key}' twice");
        }

        return tokens;
    }

    private static int IndexOf(string piece)
    {
        for (var i = 0; i < Vocabulary.Count; i++)
        {
            if (Vocabulary[i] == piece)
            {
                return i;
            }
        }

        return -1;
    }

    private static string ToGgufToken(string piece) =>
        piece.StartsWith('[') && piece.EndsWith(']') && piece.Length > 2 ? piece
        : piece.StartsWith("##", StringComparison.Ordinal) ? piece[2..]
        : "\u2581" + piece;
}
