using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Gguf;

public sealed class TinyChatModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nexa-tiny-").FullName;

    public TinyChatModelTests() => NativeLog.EnsureConfigured();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Chat_model_header_reads_back_with_its_vocabulary_and_tensors()
    {
        var path = TinyModels.WriteChatModel(Path.Combine(_directory, "chat.gguf"));

        var file = GgufReader.Read(path);

        Assert.True(new FileInfo(path).Length < 1 << 20);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(TinyModels.ChatMlTemplate, file.GetString("tokenizer.chat_template"));
        Assert.Equal(TinyModels.Vocabulary, file.GetStringArray("tokenizer.ggml.tokens")!);
        Assert.Equal(TinyModels.ImEndId, file.GetInt64("tokenizer.ggml.eos_token_id"));
        Assert.Equal(3 + (9 * TinyModels.BlockCount), file.Tensors.Count);
        Assert.Equal([64L, TinyModels.VocabSize], file.FindTensor("token_embd.weight")!.Dimensions);
    }

    [Fact]
    public void Same_seed_writes_the_same_file_and_another_seed_a_different_one()
    {
        var a = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "a.gguf"), seed: 7));
        var b = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "b.gguf"), seed: 7));
        var c = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "c.gguf"), seed: 8));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Larger_embeddings_and_Q8_0_change_the_file_size()
    {
        var small = new FileInfo(TinyModels.WriteChatModel(Path.Combine(_directory, "small.gguf"))).Length;
        var large = new FileInfo(TinyModels.WriteChatModel(Path.Combine(_directory, "large.gguf"), embeddingLength: 256)).Length;
        var quantized = new FileInfo(TinyModels.WriteChatModel(Path.Combine(_directory, "q8.gguf"), weightType: GgmlType.Q8_0)).Length;

        Assert.True(large > 8 * small, $"{large} vs {small}");
        Assert.True(quantized < small / 2, $"{quantized} vs {small}");
    }

    [Fact]
    public void Chat_model_loads_in_llama_cpp_with_its_vocabulary()
    {
        using var weights = Load(TinyModels.WriteChatModel(Path.Combine(_directory, "chat.gguf")));

        Assert.Equal(TinyModels.VocabSize, weights.Vocab.Count);
        Assert.Equal(TinyModels.BosId, (int)weights.Vocab.BOS!.Value);
        Assert.Equal(TinyModels.ImEndId, (int)weights.Vocab.EOS!.Value);
        Assert.Equal(TinyModels.DefaultEmbeddingLength, weights.EmbeddingSize);
        Assert.Equal(TinyModels.ContextLength, weights.ContextSize);
        Assert.Equal(TinyModels.ChatMlTemplate, weights.Metadata["tokenizer.chat_template"]);
    }

    [Fact]
    public void Reader_agrees_with_llama_cpp_on_every_scalar_metadata_value()
    {
        var path = TinyModels.WriteChatModel(Path.Combine(_directory, "chat.gguf"));
        using var weights = Load(path);
        var file = GgufReader.Read(path);

        var scalars = file.Metadata.Where(kv => kv.Value.Type != GgufValueType.Array).ToList();
        Assert.Equal(scalars.Select(kv => kv.Key).Order(), weights.Metadata.Keys.Order());
        foreach (var (key, value) in scalars)
        {
            var native = weights.Metadata[key];
            if (value.Type is GgufValueType.Float32 or GgufValueType.Float64)
            {
                Assert.Equal(value.AsDouble(), double.Parse(native, System.Globalization.CultureInfo.InvariantCulture), 6);
            }
            else
            {
                Assert.Equal(native, value.ToString());
            }
        }
    }

    [Fact]
    public void ChatML_markers_tokenize_as_single_control_tokens()
    {
        using var weights = Load(TinyModels.WriteChatModel(Path.Combine(_directory, "chat.gguf")));

        var start = weights.Tokenize("<|im_start|>", add_bos: false, special: true, System.Text.Encoding.UTF8);
        var end = weights.Tokenize("<|im_end|>", add_bos: false, special: true, System.Text.Encoding.UTF8);
        var asText = weights.Tokenize("<|im_start|>", add_bos: false, special: false, System.Text.Encoding.UTF8);

        Assert.Equal([TinyModels.ImStartId], start.Select(t => (int)t));
        Assert.Equal([TinyModels.ImEndId], end.Select(t => (int)t));
        Assert.True(start[0].IsControl(weights.Vocab));
        Assert.True(end[0].IsEndOfGeneration(weights.Vocab));
        Assert.True(asText.Length > 1);
    }

    [Fact]
    public void Text_tokenizes_through_byte_fallback_and_round_trips()
    {
        using var weights = Load(TinyModels.WriteChatModel(Path.Combine(_directory, "chat.gguf")));

        var tokens = weights.Tokenize("héllo 你好", add_bos: false, special: false, System.Text.Encoding.UTF8);
        var decoder = new StreamingTokenDecoder(System.Text.Encoding.UTF8, weights);
        decoder.AddRange(tokens);

        Assert.Equal(TinyModels.ByteTokenId((byte)'h'), (int)tokens[0]);
        Assert.Contains(tokens, t => (int)t == TinyModels.ByteTokenId(0xE4));
        Assert.Equal("héllo 你好", decoder.Read());
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.Q8_0)]
    public void Chat_model_generates_the_same_tokens_twice_with_the_same_seed(GgmlType weightType)
    {
        var path = TinyModels.WriteChatModel(Path.Combine(_directory, $"chat-{weightType}.gguf"), weightType: weightType);
        using var weights = Load(path);

        var first = Generate(weights, Params(path), samplerSeed: 1234, count: 12);
        var second = Generate(weights, Params(path), samplerSeed: 1234, count: 12);

        Assert.Equal(12, first.Count);
        Assert.Equal(first, second);
        Assert.All(first, t => Assert.InRange(t, 0, TinyModels.VocabSize - 1));
    }

    private static ModelParams Params(string path) => new(path)
    {
        ContextSize = 256,
        LoadMode = LLamaLoadMode.MemoryMap,
        GpuLayerCount = 0,
    };

    private static LLamaWeights Load(string path)
    {
        try
        {
            return LLamaWeights.LoadFromFile(Params(path));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"llama.cpp refused the model; its log:\n{NativeLog.Recent()}", e);
        }
    }

    /// <summary>Prompts with a ChatML turn and samples <paramref name="count"/> tokens, ignoring end of generation.</summary>
    private static List<int> Generate(LLamaWeights weights, ModelParams parameters, uint samplerSeed, int count)
    {
        using var context = weights.CreateContext(parameters);
        Assert.False(context.NativeHandle.IsInvalid, NativeLog.Recent());
        var prompt = context.Tokenize("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", addBos: true, special: true);
        var batch = new LLamaBatch();
        for (var i = 0; i < prompt.Length; i++)
        {
            batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        }

        using var sampler = new DefaultSamplingPipeline { Seed = samplerSeed, Temperature = 0.8f };
        var generated = new List<int>();
        var position = prompt.Length;
        while (true)
        {
            Assert.Equal(DecodeResult.Ok, context.Decode(batch));
            var token = sampler.Sample(context.NativeHandle, batch.TokenCount - 1);
            generated.Add((int)token);
            if (generated.Count == count)
            {
                return generated;
            }

            batch.Clear();
            batch.Add(token, position++, LLamaSeqId.Zero, true);
        }
    }
}
