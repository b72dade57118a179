namespace Nexa.Engine.Vision;

/// <summary>
/// How much of an image the server fetches and the engine decodes: checked on the server before a model is leased
/// (bytes, count, pixels from the header) and again in the engine before anything is decoded.
/// </summary>
public static class ImageLimits
{
    /// <summary>The original's <c>image_max_length</c> default: the longer side an image is shrunk to.</summary>
    public const int DefaultMaxLength = 512;

    /// <summary>The largest <c>image_max_length</c> a request may ask for.</summary>
    public const int MaxLengthLimit = 4096;

    /// <summary>Decoding allocates 4 bytes per pixel: 64 MP is 256 MiB, already more than any camera needs.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>Encoded bytes of one image (a remote download or a file read stops at the same cap).</summary>
    public const int MaxBytes = 20 * 1024 * 1024;

    /// <summary>Image parts in one chat request.</summary>
    public const int MaxImagesPerRequest = 16;

    /// <summary>
    /// Encoded bytes of all images of one request together: what the server holds for it, and what travels to the
    /// runner in one message (under its 64 MiB gRPC limit, with room for the text).
    /// </summary>
    public const int MaxBytesPerRequest = 40 * 1024 * 1024;
}
