namespace Nexa.Engine.Vision;

/// <summary>Why an image was refused; the server turns each into a 400 naming the image's place in the request.</summary>
public enum ImageErrorKind
{
    /// <summary>The bytes are no image at all (text, HTML, garbage, a truncated file).</summary>
    NotAnImage,

    /// <summary>An image, but of a format we do not take (TIFF, HEIF, AVIF, ICO, SVG…).</summary>
    UnsupportedFormat,

    /// <summary>Too many bytes or too many pixels.</summary>
    TooLarge,
}

/// <summary>An image that cannot be used, with a message meant for the person who sent it.</summary>
public sealed class ImageException(ImageErrorKind kind, string message) : Exception(message)
{
    public ImageErrorKind Kind { get; } = kind;

    /// <summary>The error code a client sees for this kind, on the server and in the engine alike.</summary>
    public string Code => Kind switch
    {
        ImageErrorKind.UnsupportedFormat => ErrorCodes.UnsupportedImageFormat,
        ImageErrorKind.TooLarge => ErrorCodes.ImageTooLarge,
        _ => ErrorCodes.InvalidImage,
    };
}
