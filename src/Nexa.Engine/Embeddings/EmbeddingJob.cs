namespace Nexa.Engine.Embeddings;

/// <summary>
/// One request's tokenized sequences on their way to the <see cref="EmbeddingScheduler"/>: the inputs of an
/// embedding request, or the query–document pairs of a rerank. Everything in it was validated before it was
/// queued (token ids in the vocabulary, every sequence within one batch), so the loop never rejects one.
/// </summary>
internal sealed class EmbeddingJob
{
    private readonly TaskCompletionSource<float[][]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly float[][] _results;
    private int _stored;

    /// <param name="scoresOnly">Keep only the first float of each sequence's output (rank pooling: the score).</param>
    /// <param name="maxPerDecode">The most of this job's sequences one decode may take (a rerank's batch size).</param>
    public EmbeddingJob(int[][] sequences, bool scoresOnly, int maxPerDecode, CancellationToken cancellation)
    {
        Sequences = sequences;
        ScoresOnly = scoresOnly;
        MaxPerDecode = maxPerDecode;
        Cancellation = cancellation;
        _results = new float[sequences.Length][];
    }

    public int[][] Sequences { get; }

    public bool ScoresOnly { get; }

    public int MaxPerDecode { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>The next sequence to put in a batch (the scheduler's cursor).</summary>
    public int Next { get; set; }

    /// <summary>One output per sequence, in sequence order; cancelled or failed as the job is.</summary>
    public Task<float[][]> Completion => _done.Task;

    public bool IsFinished => _done.Task.IsCompleted;

    public void Store(int index, float[] output)
    {
        _results[index] = output;
        if (++_stored == _results.Length)
        {
            _done.TrySetResult(_results);
        }
    }

    public void Fail(Exception error) => _done.TrySetException(error);

    public void Cancel() => _done.TrySetCanceled(Cancellation);
}
