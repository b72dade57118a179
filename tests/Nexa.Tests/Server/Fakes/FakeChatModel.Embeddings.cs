using System.Text;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// The fake's embeddings and reranking. A vector is a pure function of the input's text (or token ids): 16 numbers
/// from a hash, unit length. A relevance score is 2 × (words of the document found in the query) − 3, so it can
/// be negative, as a reranker's logit can. A token is a word (plus 2 per input, 3 per pair, for the specials); an
/// input longer than the context is refused unless truncated, as the engine does.
/// </summary>
public sealed partial class FakeChatModel
{
    public const int EmbeddingSize = 16;

    public IReadOnlyList<EmbeddingRequest> EmbeddingRequests
    {
        get
        {
            lock (_lock)
                return [.. _embeddings];
        }
    }

    public IReadOnlyList<RerankRequest> RerankRequests
    {
        get
        {
            lock (_lock)
                return [.. _reranks];
        }
    }

    public async Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_lock)
            _embeddings.Add(request);
        await RunOneStepAsync(ct);
        if (request.Dimensions > EmbeddingSize)
            throw new EngineException(EngineErrorKind.InvalidRequest, $"this model has {EmbeddingSize} dimensions; cannot give {request.Dimensions}", "invalid_value", "dimensions");
        var vectors = new List<float[]>(request.Inputs.Count);
        var tokens = 0;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var words = Words(request.Inputs[i]);
            if (words.Count + 2 > Info.ContextSize)
            {
                if (!request.Truncate)
                    throw new EngineException(EngineErrorKind.InvalidRequest, $"input[{i}] has {words.Count + 2} tokens; the context holds {Info.ContextSize}", "context_length_exceeded", "input");
                words = words[..(Info.ContextSize - 2)];
            }
            tokens += words.Count + 2;
            vectors.Add(Embed(words, request.Dimensions ?? EmbeddingSize));
        }
        return new EmbeddingResult(vectors, tokens);
    }

    public async Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_lock)
            _reranks.Add(request);
        await RunOneStepAsync(ct);
        var query = Words(request.Query);
        var queryWords = query.Select(Normalise).ToHashSet(StringComparer.Ordinal);
        var scores = new List<float>(request.Documents.Count);
        var tokens = 0;
        for (var i = 0; i < request.Documents.Count; i++)
        {
            var document = Words(request.Documents[i]);
            var pair = query.Count + document.Count + 3;
            if (pair > Info.ContextSize && !request.Truncate)
                throw new EngineException(EngineErrorKind.InvalidRequest, $"documents[{i}] with the query has {pair} tokens; the context holds {Info.ContextSize}", "context_length_exceeded", "documents");
            tokens += Math.Min(pair, Info.ContextSize);
            scores.Add(Score(request.Query, request.Documents[i]));
        }
        return new RerankResult(scores, tokens);
    }

    /// <summary>The vector the fake gives these words (the first <paramref name="dimensions"/> of 16, renormalised).</summary>
    public static float[] Embed(IReadOnlyList<string> words, int dimensions = EmbeddingSize)
    {
        // FNV-1a over the words, then xorshift for the numbers.
        var state = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(string.Join(' ', words)))
            state = (state ^ b) * 1099511628211UL;
        var values = new float[EmbeddingSize];
        for (var i = 0; i < values.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values[i] = (float)((state % 2001) / 1000.0 - 1.0);
        }
        var kept = values[..dimensions];
        var norm = Math.Sqrt(kept.Sum(v => (double)v * v));
        return [.. kept.Select(v => (float)(v / norm))];
    }

    public static float[] Embed(string text, int dimensions = EmbeddingSize) => Embed(Words(text), dimensions);

    /// <summary>The raw score the fake gives a document for a query.</summary>
    public static float Score(string query, string document)
    {
        var queryWords = Words(query).Select(Normalise).ToHashSet(StringComparer.Ordinal);
        return (2 * Words(document).Count(w => queryWords.Contains(Normalise(w)))) - 3;
    }

    private static List<string> Words(EmbeddingInput input) =>
        input.Text is { } text ? Words(text) : [.. input.Tokens!.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static List<string> Words(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    private static string Normalise(string word) => word.Trim('.', ',', '?', '!').ToLowerInvariant();

    // One "token" of work: the launcher's pace and failures apply to embeddings and reranking as to chat.
    private async Task RunOneStepAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _active);
        try
        {
            if (launcher.TakeFailure(FakeLauncher.FailAt.Start) is { } failure)
                throw failure;
            await Delay(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
