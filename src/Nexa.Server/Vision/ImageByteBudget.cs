using Nexa.Engine.Vision;

namespace Nexa.Server.Vision;

/// <summary>
/// The bytes all images of one request may take together (<see cref="ImageLimits.MaxBytesPerRequest"/>), taken as
/// they arrive: the images of a request are fetched at once, so each download draws on the same budget and the one
/// that overdraws it stops there, rather than after every image has been read whole. What a request takes also
/// counts against the server's <see cref="ImageMemory"/> until the request ends (dispose).
/// </summary>
internal sealed class ImageByteBudget(ImageMemory server, long limit = ImageLimits.MaxBytesPerRequest) : IDisposable
{
    private long _taken;

    public void Take(long bytes)
    {
        if (Interlocked.Add(ref _taken, bytes) > limit)
        {
            Interlocked.Add(ref _taken, -bytes);
            throw new ImageException(ImageErrorKind.TooLarge, $"images too large: the images of one request may take at most {limit} bytes together");
        }
        try
        {
            server.Take(bytes);
        }
        catch
        {
            Interlocked.Add(ref _taken, -bytes);
            throw;
        }
    }

    public void Dispose() => server.Release(Interlocked.Exchange(ref _taken, 0));
}
