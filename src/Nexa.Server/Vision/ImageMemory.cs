using Nexa.Engine.Vision;
using Nexa.Server.Errors;

namespace Nexa.Server.Vision;

/// <summary>
/// The image bytes all requests in flight hold together. A request keeps its images from the moment they arrive
/// until its answer is written (they are fetched before the model is leased, so requests waiting in a model's queue
/// hold theirs too): without a bound, a queue of image requests would hold the queue length times
/// <see cref="ImageLimits.MaxBytesPerRequest"/>. Past <see cref="Limit"/> a request is answered 503 server_busy.
/// </summary>
internal sealed class ImageMemory(long limit = ImageMemory.DefaultLimit)
{
    /// <summary>Four requests' worth of images at the per-request limit.</summary>
    public const long DefaultLimit = 4L * ImageLimits.MaxBytesPerRequest;

    private long _held;

    public long Limit { get; } = limit;

    /// <summary>Bytes held now (for tests).</summary>
    public long Held => Interlocked.Read(ref _held);

    public void Take(long bytes)
    {
        var held = Interlocked.Add(ref _held, bytes);
        if (held <= Limit)
            return;
        Interlocked.Add(ref _held, -bytes);
        throw new ApiException(ErrorTable.QueueFull($"the images of the requests in flight hold {(held - bytes) >> 20} MiB, at most {Limit >> 20} MiB"));
    }

    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);
}
