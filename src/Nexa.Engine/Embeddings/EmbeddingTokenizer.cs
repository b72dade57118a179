using System.Text;
using LLama;
using LLama.Native;
using Nexa.Engine.Text;

namespace Nexa.Engine.Embeddings;

/// <summary>
/// Turns embedding inputs and rerank pairs into the token sequences the scheduler decodes, the way llama.cpp's
/// server does, and refuses what llama.cpp must not see: token ids outside the vocabulary, empty inputs, and
/// sequences longer than one batch (each named by its index) unless the caller asked to truncate them.
/// </summary>
/// <remarks>
/// Text is tokenized as llama-server tokenizes embedding inputs: special tokens added (BOS/CLS, and EOS/SEP where
/// the vocabulary adds them) and special-token text parsed, so vectors match llama-server's for the same input.
/// Token-id inputs are taken as they are. Safe to call from several threads at once (llama.cpp's tokenizer reads
/// the vocabulary only); the owner keeps the weights alive meanwhile. Text that cannot fit (no token covers more than
/// the vocabulary's longest piece) is refused, or cut for truncation, before it is tokenized.
/// </remarks>
internal sealed class EmbeddingTokenizer
{
    private readonly LLamaWeights _weights;
    private readonly EmbeddingModelFile _file;
    private readonly PairSpecials _specials;
    private readonly string? _rerankTemplate;
    private readonly VocabularyProfile _profile;

    public EmbeddingTokenizer(LLamaWeights weights, EmbeddingModelFile file, int maxTokens, VocabularyProfile profile)
    {
        _weights = weights;
        _profile = profile;
        _file = file;
        MaxTokens = maxTokens;
        var vocab = weights.Vocab;
        _specials = new PairSpecials(Id(vocab.BOS), Id(vocab.EOS), Id(vocab.SEP), vocab.ShouldAddBOS, vocab.ShouldAddEOS,
            VocabularyFlags.ShouldAddSeparator(weights.NativeHandle));
        _rerankTemplate = weights.NativeHandle.GetTemplate("rerank", strict: false);
    }

    /// <summary>The most tokens one sequence may have: one batch.</summary>
    public int MaxTokens { get; }

    public int[] Input(EmbeddingInput? input, int index, EmbeddingTask task, bool truncate)
    {
        if (input is null || (input.Text is null) == (input.Tokens is null))
        {
            throw Invalid($"input[{index}] must be either text or token ids", "input");
        }

        if (input.Tokens is { } ids)
        {
            return Ids(ids, index, truncate);
        }

        var text = Fit(Prefix(task) + input.Text, truncate, $"input[{index}]", "input");
        var tokens = Tokenize(text, addSpecial: true);
        if (tokens.Length == 0)
        {
            throw Invalid($"input[{index}] is empty", "input");
        }

        if (tokens.Length <= MaxTokens)
        {
            return tokens;
        }

        if (!truncate)
        {
            throw TooLong($"input[{index}] has {tokens.Length} tokens, the model's context holds {MaxTokens}", "input");
        }

        return KeepAdded(tokens, Tokenize(text, addSpecial: false), MaxTokens);
    }

    /// <summary>A text input's tokens, task prefix included, whatever their number.</summary>
    public int[] Text(string text, EmbeddingTask task) => Tokenize(Prefix(task) + text, addSpecial: true);

    public int[] Pair(string? query, string? document, int index, bool truncate)
    {
        if (query is null)
        {
            throw Invalid("query must be text", "query");
        }

        if (document is null)
        {
            throw Invalid($"documents[{index}] must be text", "documents");
        }

        if (truncate && _profile.MinTokens(Encoding.UTF8.GetByteCount(query)) > MaxTokens)
        {
            throw TooLong($"the query has so many tokens that no document fits beside it in the model's context of {MaxTokens}", "query");
        }

        var atLeast = _profile.MinTokens(Encoding.UTF8.GetByteCount(query) + (long)Encoding.UTF8.GetByteCount(document));
        if (atLeast > MaxTokens && !truncate)
        {
            throw TooLong($"documents[{index}] with the query has at least {atLeast} tokens, the model's context holds {MaxTokens}", "documents");
        }

        document = Fit(document, truncate: true, $"documents[{index}]", "documents");
        var pair = Join(query, document);
        if (pair.Length <= MaxTokens)
        {
            return pair;
        }

        if (!truncate)
        {
            throw TooLong($"documents[{index}] with the query has {pair.Length} tokens, the model's context holds {MaxTokens}", "documents");
        }

        return TruncatePair(query, document, pair);
    }

    /// <summary>The pair as llama.cpp's server lays it out (see <see cref="RerankPairFormat"/>).</summary>
    internal int[] Join(string query, string document) => _rerankTemplate is { } template
        ? Tokenize(RerankPairFormat.Render(template, query, document), addSpecial: false)
        : RerankPairFormat.Join(Tokenize(query, addSpecial: false, parseSpecial: false), Tokenize(document, addSpecial: false, parseSpecial: false), _specials);

    /// <summary>
    /// The text as it is when it may fit; refused when it cannot and the caller did not ask to truncate; otherwise cut
    /// to what its first <see cref="MaxTokens"/> tokens can cover (twice over, so the cut is far from the tokens kept).
    /// </summary>
    private string Fit(string text, bool truncate, string what, string param)
    {
        if (_profile.MaxBytesPerToken == 0)
        {
            return text;
        }

        var atLeast = _profile.MinTokens(Encoding.UTF8.GetByteCount(text));
        if (atLeast <= MaxTokens)
        {
            return text;
        }

        if (!truncate)
        {
            throw TooLong($"{what} has at least {atLeast} tokens, the model's context holds {MaxTokens}", param);
        }

        // Every character is at least one byte: this many characters hold at least the bytes the kept tokens cover.
        var keep = (int)Math.Min(text.Length, 2L * MaxTokens * _profile.MaxBytesPerToken);
        if (keep > 0 && keep < text.Length && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep];
    }

    private string Prefix(EmbeddingTask task) => task switch
    {
        EmbeddingTask.SearchQuery => _file.QueryPrefix ?? "",
        EmbeddingTask.SearchDocument => _file.DocumentPrefix ?? "",
        _ => "",
    };

    private int[] Ids(IReadOnlyList<int> ids, int index, bool truncate)
    {
        if (ids.Count == 0)
        {
            throw Invalid($"input[{index}] is empty", "input");
        }

        var vocabulary = _weights.Vocab.Count;
        foreach (var id in ids)
        {
            if (id < 0 || id >= vocabulary)
            {
                throw Invalid($"input[{index}] has token id {id}, which is not in the model's vocabulary (0 to {vocabulary - 1})", "input");
            }
        }

        if (ids.Count > MaxTokens && !truncate)
        {
            throw TooLong($"input[{index}] has {ids.Count} tokens, the model's context holds {MaxTokens}", "input");
        }

        return [.. ids.Take(MaxTokens)];
    }

    /// <summary>
    /// Cuts the text, not the tokens the tokenizer added around it: BOS/CLS stays first and EOS/SEP stays last,
    /// which matters most to models that read the last token's state.
    /// </summary>
    private static int[] KeepAdded(int[] full, int[] plain, int max)
    {
        for (var head = 0; head + plain.Length <= full.Length && head <= 2; head++)
        {
            if (full.AsSpan(head, plain.Length).SequenceEqual(plain))
            {
                var tail = full.Length - head - plain.Length;
                var keep = max - head - tail;
                if (keep > 0)
                {
                    return [.. full.AsSpan(0, head), .. plain.AsSpan(0, keep), .. full.AsSpan(full.Length - tail)];
                }
            }
        }

        return full[..max];
    }

    private int[] TruncatePair(string query, string document, int[] pair)
    {
        var documentTokens = Tokenize(document, addSpecial: false, parseSpecial: false);
        var room = documentTokens.Length - (pair.Length - MaxTokens);
        if (room < 1)
        {
            throw TooLong($"the query has so many tokens that no document fits beside it in the model's context of {MaxTokens}", "query");
        }

        if (_rerankTemplate is null)
        {
            var queryTokens = Tokenize(query, addSpecial: false, parseSpecial: false);
            return RerankPairFormat.Join(queryTokens, documentTokens.AsSpan(0, room), _specials);
        }

        // The template is tokenized whole, so a shorter document is cut as text and the pair tokenized again; text
        // cut at a token boundary may tokenize a little differently, so cut further until it fits.
        for (var cut = room; cut > 0; cut -= Math.Max(1, room / 8))
        {
            var shorter = Join(query, Detokenize(documentTokens.AsSpan(0, cut)));
            if (shorter.Length <= MaxTokens)
            {
                return shorter;
            }
        }

        var empty = Join(query, "");
        return empty.Length <= MaxTokens
            ? empty
            : throw TooLong($"the query has so many tokens that no document fits beside it in the model's context of {MaxTokens}", "query");
    }

    private int[] Tokenize(string text, bool addSpecial, bool parseSpecial = true) =>
        [.. _weights.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8).Select(t => (int)t)];

    private string Detokenize(ReadOnlySpan<int> tokens)
    {
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _weights);
        foreach (var token in tokens)
        {
            decoder.Add(token);
        }

        return decoder.Read();
    }

    private static int? Id(LLamaToken? token) => token is { } t ? (int)t : null;

    private static EngineException Invalid(string message, string param) => new(EngineErrorKind.InvalidRequest, message, ErrorCodes.InvalidValue, param);

    private static EngineException TooLong(string message, string param) => new(EngineErrorKind.InvalidRequest, message, ErrorCodes.ContextLengthExceeded, param);
}
