using Nexa.Engine.Text;
using Nexa.Hub.Gguf;

namespace Nexa.Engine.Embeddings;

/// <summary>
/// What an embedding model's GGUF header says before llama.cpp is given the file: the pooling to use, the task
/// prefixes, and whether llama.cpp can run it at all. Some files abort llama.cpp's process on their first decode
/// (no exception to catch), so those are refused here, with a reason, instead.
/// </summary>
internal sealed record EmbeddingModelFile(string? Architecture, EmbeddingPooling Pooling, string? QueryPrefix, string? DocumentPrefix)
{
    // Prefixes a model was trained with (sentence-transformers' "prompts", e.g. nomic's "search_query: "). llama.cpp's
    // converters write none today; the keys are named after the file they would come from, so a pull can add them.
    internal const string QueryPrefixKey = "sentence_transformers.prompts.query";
    internal const string DocumentPrefixKey = "sentence_transformers.prompts.document";
    internal const string PassagePrefixKey = "sentence_transformers.prompts.passage";

    // Encoder-only architectures (bidirectional attention): their sentence vector is the mean of the token states
    // when the file names no pooling. A decoder's last token is the only one that has seen the whole input.
    private static readonly HashSet<string> EncoderArchitectures = new(
        ["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "eurobert", "t5encoder", "gemma-embedding"],
        StringComparer.Ordinal);

    /// <summary>Reads and checks the header; throws <see cref="EngineException"/> (LoadFailed) for a file llama.cpp must not see.</summary>
    public static EmbeddingModelFile Read(string path, EmbeddingModelKind kind)
    {
        GgufFile gguf;
        try
        {
            gguf = GgufReader.Read(path);
        }
        catch (Exception e) when (e is GgufFormatException or IOException or UnauthorizedAccessException)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot read {path}: {e.Message}", inner: e);
        }

        return Inspect(gguf, kind);
    }

    public static EmbeddingModelFile Inspect(GgufFile gguf, EmbeddingModelKind kind)
    {
        var name = Path.GetFileName(gguf.FilePath);
        var arch = gguf.Architecture;
        try
        {
            CheckTokenTypes(gguf, name);
            var pooling = ChoosePooling(gguf, arch, kind, name);
            var query = gguf.GetString(QueryPrefixKey);
            var document = gguf.GetString(DocumentPrefixKey) ?? gguf.GetString(PassagePrefixKey);
            return new EmbeddingModelFile(arch, pooling, NullIfEmpty(query), NullIfEmpty(document));
        }
        catch (GgufFormatException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot use {name}: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// BERT's token-type embeddings are added to the word embeddings with ggml_add, which this llama.cpp build
    /// only does for F32: an F16 (or quantized) table aborts the process on the first decode.
    /// </summary>
    private static void CheckTokenTypes(GgufFile gguf, string name)
    {
        if (gguf.FindTensor("token_types.weight") is { Type: not GgmlType.F32 } tensor)
        {
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"{name} stores token_types.weight as {tensor.Type}; this llama.cpp build aborts on it unless it is F32. " +
                "Convert or quantize the model again keeping that tensor in F32 (llama.cpp's converter does so by default).");
        }
    }

    private static EmbeddingPooling ChoosePooling(GgufFile gguf, string? arch, EmbeddingModelKind kind, string name)
    {
        // llama.cpp's numbers: -1 unspecified, 0 none, 1 mean, 2 cls, 3 last, 4 rank. None gives token vectors,
        // not one per input, so it is treated as unspecified.
        var stored = arch is null ? null : gguf.GetInt64($"{arch}.pooling_type");
        EmbeddingPooling? fromFile = stored is >= 1 and <= 4 ? (EmbeddingPooling)stored.Value : null;
        var hasClassifier = gguf.Tensors.Any(t => t.Name.StartsWith("cls.", StringComparison.Ordinal));

        if (kind == EmbeddingModelKind.Reranker)
        {
            // Rank pooling without a classification head is a GGML_ABORT in llama.cpp's graph.
            if (!hasClassifier)
            {
                throw new EngineException(EngineErrorKind.LoadFailed,
                    $"{name} has no classification head (cls.* tensors), so llama.cpp cannot score documents with it: it is not a reranker");
            }

            if (fromFile is { } other && other != EmbeddingPooling.Rank)
            {
                throw new EngineException(EngineErrorKind.LoadFailed,
                    $"{name} pools its vectors with {other} pooling, not rank pooling: load it as an embedder, not a reranker");
            }

            return EmbeddingPooling.Rank;
        }

        if (fromFile == EmbeddingPooling.Rank)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"{name} is a reranker (rank pooling): load it as a reranker, not an embedder");
        }

        return fromFile ?? (arch is not null && EncoderArchitectures.Contains(arch) ? EmbeddingPooling.Mean : EmbeddingPooling.Last);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
