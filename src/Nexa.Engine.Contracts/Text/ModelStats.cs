namespace Nexa.Engine.Text;

/// <summary>
/// A snapshot of what a loaded model holds now, for <c>/health</c> and <c>nexa ps</c>: taken from another thread
/// than the scheduler's, so the counts may be one step apart from each other.
/// </summary>
/// <param name="Slots">Sequences the model runs at once (1 for models without a chat scheduler).</param>
/// <param name="ActiveSequences">Sequences running a request now.</param>
/// <param name="QueuedJobs">Requests inside the engine waiting for a free sequence.</param>
/// <param name="CachedTokens">KV cells holding tokens now, running and idle (the prompt cache) together.</param>
/// <param name="ContextSize">KV cells of the model's context (0 where there is none).</param>
/// <param name="ResidentBytes">Resident memory of the process that holds the model.</param>
public sealed record ModelStats(int Slots, int ActiveSequences, int QueuedJobs, int CachedTokens, int ContextSize, long ResidentBytes)
{
    /// <summary>What a model without a scheduler reports: its process's memory and nothing running.</summary>
    public static ModelStats Idle(int contextSize) => new(1, 0, 0, 0, contextSize, Environment.WorkingSet);
}
