using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// A plain C# forward pass of a BERT GGUF (the <c>bert</c> architecture, F32 or F16 tensors, as
/// <see cref="TinyBertModels"/> writes them), read back from the file with
/// <see cref="GgufReader"/>: the reference llama.cpp's pooled embeddings and rerank scores are
/// checked against. It follows llama.cpp's graph (llama_model_bert and build_pooling), and says
/// so where that is not textbook BERT. It computes attention in full precision: llama.cpp with
/// flash attention (the default, "auto", turns it on for the CPU) casts K and V to F16 first,
/// which moves pooled vectors by about 1e-4 and rerank scores by a few 1e-4.
/// </summary>
public sealed class BertReference
{
    // ggml's GELU constants (ggml-cpu/vec.h).
    private const float GeluCoefA = 0.044715f;
    private const float SqrtTwoOverPi = 0.79788456080286535587989211986876f;

    private readonly Dictionary<string, float[]> _tensors;

    private BertReference(Dictionary<string, float[]> tensors, int hiddenSize, int layers, int heads, int contextLength,
        float epsilon, int pooling)
    {
        _tensors = tensors;
        HiddenSize = hiddenSize;
        Layers = layers;
        Heads = heads;
        ContextLength = contextLength;
        Epsilon = epsilon;
        Pooling = pooling;
    }

    public int HiddenSize { get; }

    public int Layers { get; }

    public int Heads { get; }

    public int ContextLength { get; }

    public float Epsilon { get; }

    /// <summary>bert.pooling_type of the file (<see cref="TinyBertModels.MeanPooling"/>, …).</summary>
    public int Pooling { get; }

    public bool HasClassifier => _tensors.ContainsKey("cls.weight");

    public static BertReference Load(string path)
    {
        var file = GgufReader.Read(path);
        if (file.Architecture != "bert")
        {
            throw new ArgumentException($"{path} is a '{file.Architecture}' model, not 'bert'", nameof(path));
        }

        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var stream = File.OpenRead(path);
        foreach (var tensor in file.Tensors)
        {
            tensors[tensor.Name] = ReadTensor(stream, tensor);
        }

        int Key(string name) => checked((int)(file.GetInt64($"bert.{name}") ?? throw new ArgumentException($"{path} has no bert.{name}")));
        return new BertReference(tensors, Key("embedding_length"), Key("block_count"), Key("attention.head_count"),
            Key("context_length"), (float)(file.GetDouble("bert.attention.layer_norm_epsilon") ?? 1e-12),
            (int)(file.GetInt64("bert.pooling_type") ?? TinyBertModels.NoPooling));
    }

    /// <summary>The last layer's output for every token (what llama.cpp pools), row by row.</summary>
    public float[][] HiddenStates(IReadOnlyList<int> tokens)
    {
        if (tokens.Count == 0 || tokens.Count > ContextLength)
        {
            throw new ArgumentException($"{tokens.Count} tokens; the model takes 1 to {ContextLength}", nameof(tokens));
        }

        var h = HiddenSize;
        var tokenEmbedding = Tensor("token_embd.weight");
        var positionEmbedding = Tensor("position_embd.weight");
        // llama.cpp hard-codes token type 0 ("sentence A") for every token, even the second
        // segment of a rerank pair, where textbook BERT would use type 1.
        var typeEmbedding = _tensors.GetValueOrDefault("token_types.weight");
        var x = new float[tokens.Count][];
        for (var t = 0; t < tokens.Count; t++)
        {
            x[t] = new float[h];
            for (var i = 0; i < h; i++)
            {
                x[t][i] = tokenEmbedding[(tokens[t] * h) + i] + positionEmbedding[(t * h) + i] + (typeEmbedding?[i] ?? 0f);
            }

            x[t] = LayerNorm(x[t], "token_embd_norm");
        }

        for (var layer = 0; layer < Layers; layer++)
        {
            x = Block(x, $"blk.{layer}");
        }

        return x;
    }

    /// <summary>
    /// The pooled, L2-normalised embedding, as llama.cpp pools it: the mean over every token of
    /// the sequence (special tokens included) for <see cref="TinyBertModels.MeanPooling"/>, the
    /// first token's state for <see cref="TinyBertModels.ClsPooling"/>, the last one's for
    /// <see cref="TinyBertModels.LastPooling"/>. BERT's pooler (dense + tanh) is not applied.
    /// </summary>
    public float[] Embed(IReadOnlyList<int> tokens, int? pooling = null)
    {
        var states = HiddenStates(tokens);
        var pooled = (pooling ?? Pooling) switch
        {
            TinyBertModels.MeanPooling => Mean(states),
            TinyBertModels.ClsPooling => states[0],
            TinyBertModels.LastPooling => states[^1],
            var other => throw new ArgumentOutOfRangeException(nameof(pooling), other, "not a pooling that gives an embedding"),
        };
        return Normalize(pooled);
    }

    /// <summary>
    /// The relevance score of a formatted pair ([CLS] query [SEP] document [SEP]), as llama.cpp's
    /// RANK pooling computes it: the first token's state through <c>tanh(cls · h + cls_b)</c> (the
    /// RoBERTa-style classification head's dense layer), then <c>cls.output · that + cls.output_b</c>.
    /// The raw logit: no sigmoid.
    /// </summary>
    public float Score(IReadOnlyList<int> tokens)
    {
        var first = HiddenStates(tokens)[0];
        var dense = Linear(first, "cls");
        for (var i = 0; i < dense.Length; i++)
        {
            dense[i] = MathF.Tanh(dense[i]);
        }

        return _tensors.ContainsKey("cls.output.weight") ? Linear(dense, "cls.output")[0] : dense[0];
    }

    public static float[] Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return [.. vector.Select(v => (float)(v / norm))];
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}");
        }

        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(aa * bb);
    }

    /// <summary>
    /// GELU as llama.cpp's CPU backend computes it: the tanh approximation (not BERT's erf), read
    /// from a table indexed by the input rounded to F16 and holding F16 results. With it, and flash
    /// attention off, the reference agrees with llama.cpp to float precision; the plain tanh or erf
    /// GELU would leave differences of a few 1e-5 in the pooled vectors.
    /// </summary>
    public static float Gelu(float x)
    {
        if (x <= -10f)
        {
            return 0f;
        }

        if (x >= 10f)
        {
            return x;
        }

        var h = (float)(Half)x;
        return (float)(Half)(0.5f * h * (1f + MathF.Tanh(SqrtTwoOverPi * h * (1f + (GeluCoefA * h * h)))));
    }

    private float[][] Block(float[][] x, string block)
    {
        var n = x.Length;
        var h = HiddenSize;
        var headSize = h / Heads;
        var scale = 1f / MathF.Sqrt(headSize);
        var q = x.Select(row => Linear(row, $"{block}.attn_q")).ToArray();
        var k = x.Select(row => Linear(row, $"{block}.attn_k")).ToArray();
        var v = x.Select(row => Linear(row, $"{block}.attn_v")).ToArray();

        // Bidirectional: every token attends to every token of its sequence.
        var context = new float[n][];
        for (var t = 0; t < n; t++)
        {
            context[t] = new float[h];
        }

        var weights = new double[n];
        for (var head = 0; head < Heads; head++)
        {
            var offset = head * headSize;
            for (var t = 0; t < n; t++)
            {
                var max = double.NegativeInfinity;
                for (var s = 0; s < n; s++)
                {
                    double dot = 0;
                    for (var i = 0; i < headSize; i++)
                    {
                        dot += (double)q[t][offset + i] * k[s][offset + i];
                    }

                    weights[s] = dot * scale;
                    max = Math.Max(max, weights[s]);
                }

                double sum = 0;
                for (var s = 0; s < n; s++)
                {
                    weights[s] = Math.Exp(weights[s] - max);
                    sum += weights[s];
                }

                for (var i = 0; i < headSize; i++)
                {
                    double value = 0;
                    for (var s = 0; s < n; s++)
                    {
                        value += weights[s] / sum * v[s][offset + i];
                    }

                    context[t][offset + i] = (float)value;
                }
            }
        }

        var output = new float[n][];
        for (var t = 0; t < n; t++)
        {
            var attention = Linear(context[t], $"{block}.attn_output");
            var afterAttention = LayerNorm(Add(attention, x[t]), $"{block}.attn_output_norm");
            var up = Linear(afterAttention, $"{block}.ffn_up");
            for (var i = 0; i < up.Length; i++)
            {
                up[i] = Gelu(up[i]);
            }

            var down = Linear(up, $"{block}.ffn_down");
            output[t] = LayerNorm(Add(down, afterAttention), $"{block}.layer_output_norm");
        }

        return output;
    }

    /// <summary>y = W·x + b, with W stored as ggml {fanIn, fanOut}: one row of fanIn per output.</summary>
    private float[] Linear(float[] x, string name)
    {
        var weight = Tensor($"{name}.weight");
        var bias = _tensors.GetValueOrDefault($"{name}.bias");
        var fanIn = x.Length;
        var fanOut = weight.Length / fanIn;
        var y = new float[fanOut];
        for (var o = 0; o < fanOut; o++)
        {
            double sum = bias?[o] ?? 0;
            for (var i = 0; i < fanIn; i++)
            {
                sum += (double)weight[(o * fanIn) + i] * x[i];
            }

            y[o] = (float)sum;
        }

        return y;
    }

    private float[] LayerNorm(float[] x, string name)
    {
        var weight = Tensor($"{name}.weight");
        var bias = Tensor($"{name}.bias");
        var mean = x.Average(v => (double)v);
        var variance = x.Average(v => (v - mean) * (v - mean));
        var scale = 1 / Math.Sqrt(variance + Epsilon);
        var y = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = (float)(((x[i] - mean) * scale * weight[i]) + bias[i]);
        }

        return y;
    }

    private static float[] Add(float[] a, float[] b)
    {
        var sum = new float[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            sum[i] = a[i] + b[i];
        }

        return sum;
    }

    private static float[] Mean(float[][] rows)
    {
        var mean = new float[rows[0].Length];
        for (var i = 0; i < mean.Length; i++)
        {
            mean[i] = (float)rows.Average(row => (double)row[i]);
        }

        return mean;
    }

    private float[] Tensor(string name) =>
        _tensors.TryGetValue(name, out var data) ? data : throw new InvalidOperationException($"the model has no tensor {name}");

    private static float[] ReadTensor(Stream stream, GgufTensorInfo tensor)
    {
        var count = checked((int)tensor.ElementCount);
        var size = tensor.Type switch
        {
            GgmlType.F32 => 4,
            GgmlType.F16 => 2,
            _ => throw new NotSupportedException($"{tensor.Name} is {tensor.Type}; the reference reads F32 and F16"),
        };
        var bytes = new byte[count * size];
        stream.Position = tensor.FileOffset;
        stream.ReadExactly(bytes);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = size == 4 ? BitConverter.ToSingle(bytes, i * 4) : (float)BitConverter.ToHalf(bytes, i * 2);
        }

        return values;
    }
}
