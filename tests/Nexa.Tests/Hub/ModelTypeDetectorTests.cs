using Nexa.Hub.Gguf;
using Nexa.Hub.Pull;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Hub;

public class ModelTypeDetectorTests
{
    private static GgufFile Header(string arch, uint? pooling = null, string? extraTensor = null, bool classifierLabels = false)
    {
        var writer = new GgufWriter().AddString("general.architecture", arch);
        if (pooling is { } p)
            writer.AddUInt32($"{arch}.pooling_type", p);
        if (classifierLabels)
            writer.AddStringArray($"{arch}.classifier.output_labels", ["LABEL_0"]);
        writer.AddTensor("token_embd.weight", [32, 4], GgmlType.F32, new float[128]);
        if (extraTensor is not null)
            writer.AddTensor(extraTensor, [32], GgmlType.F32, new float[32]);
        var bytes = writer.ToBytes();
        return GgufReader.Read(new MemoryStream(bytes), bytes.Length, $"{arch}.gguf");
    }

    [Fact]
    public void A_plain_decoder_is_an_llm_and_with_a_projector_a_vlm()
    {
        Assert.Equal(new DetectedModel("llm", "qwen3"), ModelTypeDetector.Detect(Header("qwen3"), hasMMProj: false));
        Assert.Equal("vlm", ModelTypeDetector.Detect(Header("qwen3vl"), hasMMProj: true).Type);
    }

    [Theory]
    [InlineData("bert", 1u)]          // MiniLM, bge: mean
    [InlineData("nomic-bert", 1u)]
    [InlineData("bert", 2u)]          // CLS
    [InlineData("qwen3", 3u)]         // Qwen3-Embedding: last-token pooling on a decoder
    public void A_pooling_type_means_embedder(string arch, uint pooling) =>
        Assert.Equal("embedder", ModelTypeDetector.Detect(Header(arch, pooling), hasMMProj: false).Type);

    [Fact]
    public void An_encoder_architecture_without_pooling_key_is_an_embedder() =>
        Assert.Equal("embedder", ModelTypeDetector.Detect(Header("jina-bert-v2"), hasMMProj: false).Type);

    [Theory]
    [InlineData("bert", null, "cls.output.weight", false)]   // bge-reranker: classification head
    [InlineData("bert", 1u, "cls.weight", false)]
    [InlineData("qwen3", 4u, null, false)]                  // rank pooling
    [InlineData("jina-bert-v2", null, null, true)]          // classifier labels
    public void A_classifier_head_or_rank_pooling_means_reranker(string arch, uint? pooling, string? tensor, bool labels) =>
        Assert.Equal("reranker", ModelTypeDetector.Detect(Header(arch, pooling, tensor, labels), hasMMProj: false).Type);
}
