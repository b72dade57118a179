using Nexa.Engine.Embeddings;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Embeddings;

/// <summary>Query–document pairs laid out as llama.cpp's server lays them out (format_prompt_rerank).</summary>
public sealed class RerankPairFormatTests
{
    private static readonly int[] Query = [11, 12];
    private static readonly int[] Document = [21, 22, 23];

    [Fact]
    public void Bert_vocabulary_gives_cls_query_sep_document_sep()
    {
        // A BERT GGUF: [CLS] = 101 is its BOS, [SEP] = 102 its EOS and SEP; adds BOS and EOS, no extra separator.
        var bert = new PairSpecials(Bos: 101, Eos: 102, Sep: 102, AddBos: true, AddEos: true, AddSep: false);

        Assert.Equal([101, 11, 12, 102, 21, 22, 23, 102], RerankPairFormat.Join(Query, Document, bert));
    }

    [Fact]
    public void Wordpiece_flags_as_llama_cpp_sets_them_close_the_document_with_sep_too()
    {
        // llama.cpp's defaults for tokenizer.ggml.model = bert: add BOS and SEP, no EOS.
        var wordPiece = new PairSpecials(Bos: 101, Eos: null, Sep: 102, AddBos: true, AddEos: false, AddSep: true);

        Assert.Equal([101, 11, 12, 102, 21, 22, 23, 102], RerankPairFormat.Join(Query, Document, wordPiece));
    }

    [Fact]
    public void Xlm_roberta_vocabulary_gives_a_double_separator_between_query_and_document()
    {
        // <s> = 0, </s> = 2 as EOS and SEP, all three flags on: <s> q </s></s> d </s>.
        var xlmr = new PairSpecials(Bos: 0, Eos: 2, Sep: 2, AddBos: true, AddEos: true, AddSep: true);

        Assert.Equal([0, 11, 12, 2, 2, 21, 22, 23, 2], RerankPairFormat.Join(Query, Document, xlmr));
    }

    [Fact]
    public void A_vocabulary_without_eos_ends_its_parts_with_sep()
    {
        var noEos = new PairSpecials(Bos: 101, Eos: null, Sep: 102, AddBos: true, AddEos: true, AddSep: false);

        Assert.Equal([101, 11, 12, 102, 21, 22, 23, 102], RerankPairFormat.Join(Query, Document, noEos));
    }

    [Fact]
    public void Flags_that_are_off_add_nothing()
    {
        var none = new PairSpecials(Bos: 1, Eos: 2, Sep: 3, AddBos: false, AddEos: false, AddSep: false);
        var onlySep = none with { AddSep = true };

        Assert.Equal([11, 12, 21, 22, 23], RerankPairFormat.Join(Query, Document, none));
        Assert.Equal([11, 12, 3, 21, 22, 23, 3], RerankPairFormat.Join(Query, Document, onlySep)); // SEP also closes the document (WordPiece)
    }

    [Fact]
    public void Rerank_template_takes_the_query_then_the_document()
    {
        const string template = "<|im_start|>system\nJudge.<|im_end|>\n<|im_start|>user\n<Query>: {query}\n<Document>: {document}<|im_end|>";

        var prompt = RerankPairFormat.Render(template, "what is {document}?", "a doc");

        // As llama.cpp's string_replace_all runs: {query} first, so a {document} inside the query is replaced too.
        Assert.Equal("<|im_start|>system\nJudge.<|im_end|>\n<|im_start|>user\n<Query>: what is a doc?\n<Document>: a doc<|im_end|>", prompt);
    }

    [Fact]
    public async Task A_model_without_a_template_lays_out_pairs_from_its_own_vocabulary_flags()
    {
        // The tiny llama vocabulary adds BOS only (no EOS, no separator): [BOS] query document.
        NativeLog.EnsureConfigured();
        using var dir = new TempDir();
        await using var model = await EmbeddingModel.LoadAsync(TinyEmbeddingModel.Write(dir), TinyEmbeddingModel.Options,
            EmbeddingModelKind.Embedder, CancellationToken.None);

        var pair = model.PairTokens("ab", "cd");

        Assert.Equal([TinyModels.BosId, .. model.InputTokens("ab")[1..], .. model.InputTokens("cd")[1..]], pair);
    }
}
