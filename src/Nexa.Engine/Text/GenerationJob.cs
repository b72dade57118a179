using System.Threading.Channels;
using LLama.Sampling;

namespace Nexa.Engine.Text;

/// <summary>
/// One validated, tokenized generation on its way to the scheduler. Everything in it was checked before it was
/// queued, so the loop never has to reject a request. The scheduler owns it once queued: only the loop samples
/// with, and then disposes, its sampler.
/// </summary>
internal sealed class GenerationJob(
    ChatPrompt prompt,
    ISamplingPipeline sampler,
    int maxTokens,
    IReadOnlyList<string> stops,
    bool ignoreEos,
    long startedAt,
    ChannelWriter<GenerationEvent> events,
    CancellationToken cancellation,
    ToolAnswerPlan? tools = null) : IDisposable
{
    public ChatPrompt Prompt { get; } = prompt;

    public ISamplingPipeline Sampler { get; } = sampler;

    /// <summary>Most tokens to generate, already clamped to the room the context leaves after the prompt.</summary>
    public int MaxTokens { get; } = maxTokens;

    public IReadOnlyList<string> Stops { get; } = stops;

    public bool IgnoreEos { get; } = ignoreEos;

    /// <summary>When the caller asked (<see cref="System.Diagnostics.Stopwatch"/> timestamp): queueing counts toward the time to first token.</summary>
    public long StartedAt { get; } = startedAt;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>How the answer is parsed for tool calls; null when the request offered none (or forbade calls).</summary>
    public ToolAnswerPlan? Tools { get; } = tools;

    public void Publish(GenerationEvent e) => events.TryWrite(e);

    /// <summary>Ends the event stream: normally, or with the error the caller's enumeration throws.</summary>
    public void Complete(Exception? error = null) => events.TryComplete(error);

    public void Dispose()
    {
        Sampler.Dispose();
        // The prompt's images hold mtmd's preprocessed pixels; the slot keeps only their hashes.
        Prompt.Dispose();
    }
}
