using Nexa.Engine.Images;
using Nexa.FakeRunner;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// The fake's image generation: the runner fake's checks and PNGs (<see cref="FakeImages"/>: deterministic from
/// prompt and seed, real PNGs of the asked size), one step per <see cref="FakeLauncher.TokenDelay"/>, progress per
/// step, cancellation counted in <see cref="CancelledGenerations"/>. Like embeddings, it answers whatever its type:
/// the server decides which model types may generate images.
/// </summary>
public sealed partial class FakeChatModel
{
    private readonly List<ImageGenerationRequest> _images = [];
    private int _activeImages;

    public IReadOnlyList<ImageGenerationRequest> ImageRequests
    {
        get
        {
            lock (_lock)
                return [.. _images];
        }
    }

    public int ActiveImageGenerations => Volatile.Read(ref _activeImages);

    public async Task<ImageGenerationResult> GenerateImagesAsync(ImageGenerationRequest request, IProgress<ImageGenerationProgress>? progress, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_lock)
            _images.Add(request);
        Interlocked.Increment(ref _activeImages);
        try
        {
            if (launcher.TakeFailure(FakeLauncher.FailAt.Start) is { } atStart)
                throw atStart;
            FakeImages.Check(request);
            var steps = request.Steps ?? FakeImages.Info.DefaultSteps;
            var seed = request.Seed ?? 1234;
            var images = new List<GeneratedImage>();
            for (var i = 0; i < request.Count; i++)
            {
                for (var step = 1; step <= steps; step++)
                {
                    await Delay(ct);
                    progress?.Report(new ImageGenerationProgress(i, request.Count, step, steps));
                }
                images.Add(new GeneratedImage(FakeImages.Draw(request, seed + (ulong)i, steps), seed + (ulong)i));
            }
            return new ImageGenerationResult(images, TimeSpan.Zero);
        }
        finally
        {
            Interlocked.Decrement(ref _activeImages);
        }
    }
}
