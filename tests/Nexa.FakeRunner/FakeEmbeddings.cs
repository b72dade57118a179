using System.Text;
using Nexa.Engine;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;

namespace Nexa.FakeRunner;

/// <summary>
/// What <see cref="FakeChatModel"/> answers when it is started as an embedder or a reranker: deterministic, no native
/// code. A vector is a unit vector drawn from a hash of the input (the same input, in any process, gives the same
/// vector); a score is how many distinct words of the query the document contains. The fake's magic inputs
/// (<see cref="FakeChatModel.Magic"/>) fail the ways a real engine does, as input text or as the query.
/// </summary>
internal static class FakeEmbeddings
{
    /// <summary>The fake's vector length.</summary>
    public const int Dimensions = 8;

    public static async Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, int contextSize, CancellationToken ct)
    {
        var dimensions = request.Dimensions ?? Dimensions;
        if (dimensions is < 1 or > Dimensions)
            throw Invalid($"dimensions must be between 1 and {Dimensions} (the model's vector length), not {dimensions}", ErrorCodes.InvalidValue, "dimensions");

        var vectors = new List<float[]>();
        var tokens = 0;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (input is null || (input.Text is null) == (input.Tokens is null))
                throw Invalid($"input[{i}] must be either text or token ids", ErrorCodes.InvalidValue, "input");
            if (input.Text is { } text)
                await MisbehaveAsync(text, ct);
            var words = input.Text is { } t ? Words(t) : [.. input.Tokens!.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            if (words.Length == 0)
                throw Invalid($"input[{i}] is empty", ErrorCodes.InvalidValue, "input");
            if (words.Length > contextSize && !request.Truncate)
                throw Invalid($"input[{i}] has {words.Length} tokens, the model's context holds {contextSize}", ErrorCodes.ContextLengthExceeded, "input");

            var kept = words.Take(contextSize).ToArray();
            tokens += kept.Length;
            var seed = (input.Text is null ? "tokens:" : "text:") + string.Join(' ', kept);
            vectors.Add(Normalized(Draw(seed).AsSpan(0, dimensions)));
        }
        return new EmbeddingResult(vectors, tokens);
    }

    public static async Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct)
    {
        if (request.Query is null)
            throw Invalid("query must be text", ErrorCodes.InvalidValue, "query");
        if (request.BatchSize is < 1)
            throw Invalid($"batch_size must be at least 1, not {request.BatchSize}", ErrorCodes.InvalidValue, "batch_size");
        await MisbehaveAsync(request.Query, ct);

        var query = Words(request.Query).Select(w => w.ToLowerInvariant()).ToHashSet();
        var scores = new List<float>();
        var tokens = 0;
        for (var i = 0; i < request.Documents.Count; i++)
        {
            var document = request.Documents[i] ?? throw Invalid($"documents[{i}] must be text", ErrorCodes.InvalidValue, "documents");
            var words = Words(document).Select(w => w.ToLowerInvariant()).ToHashSet();
            scores.Add(query.Count(words.Contains));
            tokens += query.Count + Words(document).Length;
        }
        return new RerankResult(scores, tokens);
    }

    /// <summary>The magic inputs: an engine error, an unexpected exception, a native abort, a slow answer.</summary>
    private static async Task MisbehaveAsync(string text, CancellationToken ct)
    {
        switch (text)
        {
            case FakeChatModel.Magic.Error:
                throw new EngineException(EngineErrorKind.InvalidRequest, "input[0] has too many tokens for the model's context", ErrorCodes.ContextLengthExceeded, "input");
            case FakeChatModel.Magic.Bug:
                throw new InvalidOperationException("the fake engine's simulated bug");
            case FakeChatModel.Magic.Crash:
                Environment.FailFast("fake engine: simulated native abort (__crash__)");
                break;
            case FakeChatModel.Magic.Slow:
                await Task.Delay(FakeChatModel.SlowTokenDelay * FakeChatModel.SlowTokenCount, ct);
                break;
        }
    }

    /// <summary>Floats in [-1, 1) from an FNV-1a hash of the seed's UTF-8 and a xorshift stream: the same everywhere.</summary>
    private static float[] Draw(string seed)
    {
        var state = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(seed))
            state = (state ^ b) * 1099511628211UL;
        var values = new float[Dimensions];
        for (var i = 0; i < values.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values[i] = (float)((state >> 11) * (1.0 / (1UL << 53)) * 2 - 1);
        }
        return values;
    }

    private static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var norm = Math.Sqrt(vector.ToArray().Sum(v => (double)v * v));
        var result = new float[vector.Length];
        for (var i = 0; i < result.Length; i++)
            result[i] = norm > 0 ? (float)(vector[i] / norm) : 0f;
        return result;
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static EngineException Invalid(string message, string code, string param) => new(EngineErrorKind.InvalidRequest, message, code, param);
}
