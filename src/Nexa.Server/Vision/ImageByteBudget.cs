using Nexa.Engine.Vision;

namespace Nexa.Server.Vision;

/// <summary>
/// The bytes all images of one request may take together (<see cref="ImageLimits.MaxBytesPerRequest"/>), taken as
/// they arrive: the images of a request are fetched at once, so each download draws on the same budget and the one
/// that overdraws it stops there, rather than after every image has been read whole.
/// </summary>
internal sealed class ImageByteBudget(long limit = ImageLimits.MaxBytesPerRequest)
{
    private long _taken;

    public void Take(long bytes)
    {
        if (Interlocked.Add(ref _taken, bytes) > limit)
            throw new ImageException(ImageErrorKind.TooLarge, $"images too large: the images of one request may take at most {limit} bytes together");
    }
}
