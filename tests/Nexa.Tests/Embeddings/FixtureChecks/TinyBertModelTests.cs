using LLama.Native;
using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Embeddings.FixtureChecks;

public sealed class TinyBertModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nexa-tiny-bert-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Embedding_model_loads_in_llama_cpp_as_a_bert_with_its_special_tokens()
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf"));
        using var weights = LlamaBert.Load(path);

        Assert.True(new FileInfo(path).Length < 1 << 20);
        Assert.Equal("bert", weights.Metadata["general.architecture"]);
        Assert.Equal(TinyBertModels.MeanPooling.ToString(), weights.Metadata["bert.pooling_type"]);
        Assert.Equal(LLamaVocabType.WordPiece, weights.Vocab.Type);
        Assert.Equal(TinyBertModels.VocabSize, weights.Vocab.Count);
        Assert.Equal(TinyBertModels.ClsId, (int)weights.Vocab.BOS!.Value);
        Assert.Equal(TinyBertModels.SepId, (int)weights.Vocab.SEP!.Value);
        Assert.Equal(TinyBertModels.PadId, (int)weights.Vocab.Pad!.Value);
        Assert.Equal(TinyBertModels.MaskId, (int)weights.Vocab.Mask!.Value);
        Assert.Equal(32, weights.EmbeddingSize);
        Assert.Equal(TinyBertModels.DefaultContextLength, weights.ContextSize);
    }

    [Fact]
    public void Vocabulary_is_written_in_llama_cpps_phantom_space_form()
    {
        var file = GgufReader.Read(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "embed.gguf")));
        var tokens = file.GetStringArray("tokenizer.ggml.tokens")!;

        Assert.Equal(TinyBertModels.GgufTokens, tokens);
        Assert.Equal("[CLS]", tokens[TinyBertModels.ClsId]);
        Assert.Equal("\u2581play", tokens[TinyBertModels.TokenId("play")]);
        Assert.Equal("ing", tokens[TinyBertModels.TokenId("##ing")]);
        Assert.Equal(TinyBertModels.TokenTypeCount, file.GetInt64("tokenizer.ggml.token_type_count"));
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
    }

    [Fact]
    public void Same_seed_writes_the_same_file_and_another_seed_a_different_one()
    {
        var a = File.ReadAllBytes(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "a.gguf"), seed: 7));
        var b = File.ReadAllBytes(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "b.gguf"), seed: 7));
        var c = File.ReadAllBytes(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "c.gguf"), seed: 8));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Reranker_has_rank_pooling_and_a_one_label_classification_head()
    {
        var path = TinyBertModels.WriteReranker(Path.Combine(_directory, "rerank.gguf"));
        var file = GgufReader.Read(path);
        using var weights = LlamaBert.Load(path);

        Assert.Equal(TinyBertModels.RankPooling.ToString(), weights.Metadata["bert.pooling_type"]);
        Assert.Equal(["LABEL_0"], file.GetStringArray("bert.classifier.output_labels")!);
        Assert.Equal([32L, 32L], file.FindTensor("cls.weight")!.Dimensions);
        Assert.Equal([32L, 1L], file.FindTensor("cls.output.weight")!.Dimensions);
        Assert.Equal([1L], file.FindTensor("cls.output.bias")!.Dimensions);
    }

    [Fact]
    public void Size_options_reach_llama_cpp()
    {
        var path = TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "wide.gguf"),
            hiddenSize: 64, layers: 3, heads: 4, pooling: TinyBertModels.ClsPooling, contextLength: 64);
        using var weights = LlamaBert.Load(path);

        Assert.Equal(64, weights.EmbeddingSize);
        Assert.Equal(3, weights.NativeHandle.LayerCount);
        Assert.Equal(4, weights.NativeHandle.HeadCount);
        Assert.Equal(64, weights.ContextSize);
        Assert.Equal(TinyBertModels.ClsPooling.ToString(), weights.Metadata["bert.pooling_type"]);
    }

    [Fact]
    public void Text_of_a_chosen_token_count_makes_an_input_longer_than_the_context()
    {
        using var weights = LlamaBert.Load(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "short.gguf"), contextLength: 64));

        var tokens = LlamaBert.Tokenize(weights, TinyBertModels.TextWithTokenCount(weights.ContextSize + 1));

        Assert.Equal(65, tokens.Length);
        Assert.Equal(new WordPieceReference(TinyBertModels.Vocabulary).Encode(TinyBertModels.TextWithTokenCount(65)), tokens);
        Assert.Equal(2, LlamaBert.Tokenize(weights, TinyBertModels.TextWithTokenCount(2)).Length);
    }

    [Fact]
    public void A_model_can_leave_out_its_pooling_type()
    {
        var file = GgufReader.Read(TinyBertModels.WriteEmbeddingModel(Path.Combine(_directory, "nopool.gguf"),
            pooling: TinyBertModels.PoolingNotWritten));

        Assert.False(file.ContainsKey("bert.pooling_type"));
        Assert.Equal("bert", file.Architecture);
    }
}
