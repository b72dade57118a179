namespace Nexa.Server.Rerank;

/// <summary>How <c>/v1/reranking</c> turns the model's raw scores (logits) into the scores it answers.</summary>
internal enum ScoreNormalization
{
    /// <summary>The raw scores, as the model gives them.</summary>
    None,

    /// <summary>exp(s) / Σ exp: positive scores that sum to 1 across the request's documents.</summary>
    Softmax,

    /// <summary>(s − min) / (max − min): the best document scores 1, the worst 0; when all are equal, all score 1.</summary>
    Linear,
}

internal static class ScoreNormalizer
{
    public static float[] Apply(IReadOnlyList<float> raw, ScoreNormalization method) => method switch
    {
        ScoreNormalization.Softmax => Softmax(raw),
        ScoreNormalization.Linear => Linear(raw),
        _ => [.. raw],
    };

    private static float[] Softmax(IReadOnlyList<float> raw)
    {
        if (raw.Count == 0)
            return [];
        // Shifted by the maximum so that exp never overflows; summed in double for documents with close scores.
        var max = raw.Max();
        var exps = raw.Select(s => Math.Exp(s - max)).ToArray();
        var sum = exps.Sum();
        return [.. exps.Select(e => (float)(e / sum))];
    }

    private static float[] Linear(IReadOnlyList<float> raw)
    {
        if (raw.Count == 0)
            return [];
        var min = raw.Min();
        var max = raw.Max();
        // Equal scores: every document is as relevant as the best one.
        return max > min ? [.. raw.Select(s => (float)(((double)s - min) / ((double)max - min)))] : [.. raw.Select(_ => 1f)];
    }
}
