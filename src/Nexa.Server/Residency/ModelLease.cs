using System.Runtime.CompilerServices;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;

namespace Nexa.Server.Residency;

/// <summary>
/// A request's hold on a loaded model: while it lives the model is not unloaded, and (for a generation) one of its
/// slots is taken. Disposing it gives both back. A generation that finds the runner dead retires the model.
/// </summary>
internal sealed class ModelLease : IAsyncDisposable
{
    private readonly ModelResidency _residency;
    private readonly ResidentModel _entry;
    private ILoadedModel? _model;
    private bool _hasSlot;
    private int _released;

    internal ModelLease(ModelResidency residency, ResidentModel entry)
    {
        _residency = residency;
        _entry = entry;
    }

    public ILoadedModel Model => _model ?? throw new InvalidOperationException("the model is not loaded yet");

    internal async Task WaitAsync(bool takeSlot, int queueSize, CancellationToken ct)
    {
        _model = await _entry.Loading.WaitAsync(ct);
        if (!takeSlot)
            return;
        await _entry.TakeSlotAsync(queueSize, ct);
        _hasSlot = true;
    }

    /// <summary>The model's generation, watched for a crashed runner so that the next request starts a fresh one.</summary>
    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var events = Model.GenerateAsync(request, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            try
            {
                if (!await events.MoveNextAsync())
                    yield break;
            }
            catch (EngineException e) when (e.Kind == EngineErrorKind.Crashed)
            {
                _residency.Retire(_entry);
                throw;
            }
            yield return events.Current;
        }
    }

    /// <summary>The model's embeddings, watched for a crashed runner as <see cref="GenerateAsync"/> is.</summary>
    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct) => WatchAsync(() => Model.EmbedAsync(request, ct));

    /// <summary>The model's relevance scores, watched for a crashed runner as <see cref="GenerateAsync"/> is.</summary>
    public Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct) => WatchAsync(() => Model.RerankAsync(request, ct));

    /// <summary>The model's image generation, watched for a crashed runner as <see cref="GenerateAsync"/> is.</summary>
    public Task<Engine.Images.ImageGenerationResult> GenerateImagesAsync(Engine.Images.ImageGenerationRequest request, IProgress<Engine.Images.ImageGenerationProgress>? progress, CancellationToken ct) =>
        WatchAsync(() => Model.GenerateImagesAsync(request, progress, ct));

    private async Task<T> WatchAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (EngineException e) when (e.Kind == EngineErrorKind.Crashed)
        {
            _residency.Retire(_entry);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            if (_hasSlot)
                _entry.ReleaseSlot();
            _residency.Release(_entry);
        }
        return ValueTask.CompletedTask;
    }
}
