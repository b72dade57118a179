using System.Runtime.CompilerServices;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Hub.Store;
using Nexa.Runner;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// A loaded model that answers "You said: &lt;last user message&gt;" one word per token, with a reasoning token first
/// when thinking is on. Honours MaxTokens, Stop and IgnoreEos (then it says " more" until MaxTokens); its
/// <see cref="FakeLauncher"/> decides delays and failures. Counts what the server did with it.
/// It also embeds (<see cref="Embed(string, int)"/>) and reranks (<see cref="Score"/>) deterministically, whatever its type:
/// the server, not the fake, decides which model types may do what.
/// </summary>
public sealed partial class FakeChatModel(FakeLauncher launcher, RunnerStartInfo start) : ILoadedModel
{
    private readonly Lock _lock = new();
    private readonly List<ChatRequest> _requests = [];
    private readonly List<EmbeddingRequest> _embeddings = [];
    private readonly List<RerankRequest> _reranks = [];
    private int _active;
    private int _cancelled;
    private int _disposed;

    public RunnerStartInfo Start { get; } = start;
    public TextModelInfo Info { get; } = new(start.ModelPath, "llama", start.Options.ContextSize, 2048, 300, true)
    {
        Image = start.ModelType == ModelTypes.ImageGen ? Nexa.FakeRunner.FakeImages.Info : null,
    };

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Set by a test to play a runner that died while idle.</summary>
    public bool HasExited { get; set; }
    public int ActiveGenerations => Volatile.Read(ref _active);
    public int CancelledGenerations => Volatile.Read(ref _cancelled);

    public IReadOnlyList<ChatRequest> Requests
    {
        get
        {
            lock (_lock)
                return [.. _requests];
        }
    }

    /// <summary>The tokens this fake answers with, before MaxTokens and Stop apply.</summary>
    public static IEnumerable<TextDelta> Script(ChatRequest request)
    {
        if (request.EnableThinking)
            yield return new TextDelta("Thinking it over.", IsReasoning: true);
        var last = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
        yield return new TextDelta("You", false);
        yield return new TextDelta(" said:", false);
        foreach (var word in last.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            yield return new TextDelta(" " + word, false);
        while (request.IgnoreEos)
            yield return new TextDelta(" more", false);
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        // As the real engine: images arrive as the client sent them and are decoded and shrunk here.
        request = ChatImagePreparer.Prepare(request);
        lock (_lock)
            _requests.Add(request);
        Interlocked.Increment(ref _active);
        try
        {
            if (launcher.TakeFailure(FakeLauncher.FailAt.Start) is { } atStart)
                throw atStart;
            var promptTokens = request.Messages.Sum(m => m.Content.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length + 1);
            if (request.ToolChoice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named)
            {
                // A forced call: "Let me check." then the named (or first) tool, arguments in two pieces; with
                // parallel calls allowed, a second call of the same tool.
                var tool = request.ToolChoice.Name ?? request.Tools[0].Name;
                yield return new TextDelta("Let me check.", false);
                var calls = request.ParallelToolCalls ? 2 : 1;
                for (var i = 0; i < calls; i++)
                {
                    await Delay(ct);
                    yield return new ToolCallDelta(i, $"call_{i}_{tool}", tool, "{\"n\":");
                    yield return new ToolCallDelta(i, null, null, $"{i}}}");
                }
                yield return new GenerationFinished(FinishReason.ToolCalls, promptTokens, 4 * calls, TimeSpan.Zero, TimeSpan.Zero);
                yield break;
            }
            var text = "";
            var count = 0;
            foreach (var delta in Script(request))
            {
                if (count == request.MaxTokens)
                {
                    yield return new GenerationFinished(FinishReason.Length, promptTokens, count, TimeSpan.Zero, TimeSpan.Zero);
                    yield break;
                }
                await Delay(ct);
                count++;
                if (!delta.IsReasoning && request.Stop.FirstOrDefault(s => (text + delta.Text).Contains(s, StringComparison.Ordinal)) is { } stop)
                {
                    var cut = (text + delta.Text).IndexOf(stop, StringComparison.Ordinal);
                    if (cut > text.Length)
                        yield return new TextDelta((text + delta.Text)[text.Length..cut], false);
                    yield return new GenerationFinished(FinishReason.Stop, promptTokens, count, TimeSpan.Zero, TimeSpan.Zero);
                    yield break;
                }
                if (!delta.IsReasoning)
                    text += delta.Text;
                yield return delta;
                if (launcher.TakeFailure(FakeLauncher.FailAt.AfterFirstToken) is { } midway)
                    throw midway;
            }
            yield return new GenerationFinished(FinishReason.Stop, promptTokens, count, TimeSpan.Zero, TimeSpan.Zero);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task Delay(CancellationToken ct)
    {
        try
        {
            if (launcher.TokenDelay > TimeSpan.Zero)
                await Task.Delay(launcher.TokenDelay, ct);
            ct.ThrowIfCancellationRequested();
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }
}
