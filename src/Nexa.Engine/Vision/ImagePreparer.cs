using SkiaSharp;

namespace Nexa.Engine.Vision;

/// <summary>An image ready for a vision model: PNG bytes and their size, plus the format it arrived in.</summary>
public sealed record PreparedImage(byte[] Png, int Width, int Height, string SourceFormat);

/// <summary>
/// Turns what a user sent (PNG, JPEG, WebP, GIF's first frame, BMP) into the PNG the engine takes: the header is read
/// before any pixel is decoded, so a small file that claims a huge canvas (a decompression bomb) is refused cheaply;
/// the image is shrunk so its longer side is at most the limit (never enlarged: the projector resizes to its own
/// input size anyway, and upscaling only adds bytes). Runs in the engine's process (the runner, or `nexa infer`/`nexa run`),
/// never in the server's: see <see cref="ChatImagePreparer"/>.
/// </summary>
public static class ImagePreparer
{
    /// <summary>The original's <c>image_max_length</c> default.</summary>
    public const int DefaultMaxLength = ImageLimits.DefaultMaxLength;

    /// <summary>See <see cref="ImageLimits.MaxPixels"/>.</summary>
    public const long MaxPixels = ImageLimits.MaxPixels;

    /// <summary>See <see cref="ImageLimits.MaxBytes"/>.</summary>
    public const int MaxBytes = ImageLimits.MaxBytes;

    private static readonly Dictionary<SKEncodedImageFormat, string> Accepted = new()
    {
        [SKEncodedImageFormat.Png] = "PNG",
        [SKEncodedImageFormat.Jpeg] = "JPEG",
        [SKEncodedImageFormat.Webp] = "WebP",
        [SKEncodedImageFormat.Gif] = "GIF",
        [SKEncodedImageFormat.Bmp] = "BMP",
    };

    /// <summary>Checks, decodes, downscales and re-encodes one image. Throws <see cref="ImageException"/> when it cannot be used.</summary>
    public static PreparedImage Prepare(ReadOnlySpan<byte> bytes, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (bytes.Length == 0)
            throw new ImageException(ImageErrorKind.NotAnImage, "not an image: the data is empty");
        if (bytes.Length > MaxBytes)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: {bytes.Length} bytes; at most {MaxBytes} bytes");

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            throw ImageSniffer.KnownFormat(bytes) is { } other
                ? Unsupported(other)
                : new ImageException(ImageErrorKind.NotAnImage, "not an image: the data is not PNG, JPEG, WebP, GIF or BMP");
        }
        if (!Accepted.TryGetValue(codec.EncodedFormat, out var format))
            throw Unsupported(codec.EncodedFormat.ToString().ToUpperInvariant());

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
            throw new ImageException(ImageErrorKind.NotAnImage, $"not an image: the {format} header gives no size");
        if ((long)width * height > MaxPixels)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: {width}×{height} pixels; at most {MaxPixels / (1024 * 1024)} megapixels");

        var (targetWidth, targetHeight) = FitInside(width, height, maxLength);
        using var decoded = Decode(codec, format, targetWidth, targetHeight);
        using var resized = targetWidth == decoded.Width && targetHeight == decoded.Height ? null : Downscale(decoded, targetWidth, targetHeight);
        var result = resized ?? decoded;
        using var png = result.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode a decoded image as PNG");
        return new PreparedImage(png.ToArray(), result.Width, result.Height, format);
    }

    /// <summary>The size that fits in a <paramref name="maxLength"/> square with the same aspect ratio, never larger than the original.</summary>
    public static (int Width, int Height) FitInside(int width, int height, int maxLength)
    {
        var longer = Math.Max(width, height);
        if (longer <= maxLength)
            return (width, height);
        var scale = (double)maxLength / longer;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static SKBitmap Decode(SKCodec codec, string format, int targetWidth, int targetHeight)
    {
        // JPEG and WebP decode straight at a reduced size (a 12 MP photo at 1/4 or 1/8 scale: several times faster);
        // the codec offers a size only as small as it can do, and we take it only when it still covers the target.
        var size = codec.Info.Size;
        foreach (var scale in (float[])[0.125f, 0.25f, 0.5f])
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (scaled.Width >= targetWidth && scaled.Height >= targetHeight && scaled.Width < size.Width)
            {
                size = scaled;
                break;
            }
        }
        // Premultiplied RGBA: what Skia filters correctly (an unpremultiplied edge would bleed colour from transparent pixels).
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        // Frame 0 by default: a GIF's first frame.
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageException(ImageErrorKind.NotAnImage, $"not an image: the {format} data cannot be decoded ({Describe(result)})");
        }
        return bitmap;
    }

    // Halving with a linear filter until within 2× of the target averages every source pixel (a single linear step
    // from far above would skip most of them and alias); the last step is a Mitchell cubic for sharp edges.
    private static SKBitmap Downscale(SKBitmap source, int width, int height)
    {
        var current = source;
        try
        {
            while (current.Width / 2 >= width && current.Height / 2 >= height)
                current = Replace(current, source, Resize(current, current.Width / 2, current.Height / 2, new SKSamplingOptions(SKFilterMode.Linear)));
            return Replace(current, source, Resize(current, width, height, new SKSamplingOptions(SKCubicResampler.Mitchell)));
        }
        catch
        {
            if (current != source)
                current.Dispose();
            throw;
        }
    }

    private static SKBitmap Replace(SKBitmap current, SKBitmap source, SKBitmap next)
    {
        if (current != source)
            current.Dispose();
        return next;
    }

    private static SKBitmap Resize(SKBitmap bitmap, int width, int height, SKSamplingOptions sampling) =>
        bitmap.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling)
            ?? throw new InvalidOperationException($"SkiaSharp could not resize {bitmap.Width}×{bitmap.Height} to {width}×{height}");

    private static ImageException Unsupported(string format) =>
        new(ImageErrorKind.UnsupportedFormat, $"unsupported image format: {format}; send PNG, JPEG, WebP, GIF or BMP");

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the data is truncated or corrupt",
        SKCodecResult.Unimplemented => "a variant this decoder does not implement",
        _ => result.ToString(),
    };
}
