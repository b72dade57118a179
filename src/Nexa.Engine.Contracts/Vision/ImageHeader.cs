using System.Buffers.Binary;

namespace Nexa.Engine.Vision;

/// <summary>
/// An image's format and size, read from its header alone, without decoding a pixel: PNG, JPEG, WebP, GIF and BMP,
/// the formats the engine decodes. The server uses it to refuse what is no image, a format we do not take, or a
/// pixel bomb (a small file that claims a huge canvas) before any model is leased; the engine decodes only then.
/// </summary>
public sealed record ImageHeader(string Format, int Width, int Height)
{
    /// <summary>Reads and checks the header. Throws <see cref="ImageException"/> when the bytes cannot be used.</summary>
    public static ImageHeader Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            throw new ImageException(ImageErrorKind.NotAnImage, "not an image: the data is empty");
        if (bytes.Length > ImageLimits.MaxBytes)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: {bytes.Length} bytes; at most {ImageLimits.MaxBytes} bytes");

        var format = Png(bytes) ?? Jpeg(bytes) ?? Webp(bytes) ?? Gif(bytes) ?? Bmp(bytes);
        if (format is null)
        {
            throw ImageSniffer.KnownFormat(bytes) is { } other
                ? new ImageException(ImageErrorKind.UnsupportedFormat, $"unsupported image format: {other}; send PNG, JPEG, WebP, GIF or BMP")
                : new ImageException(ImageErrorKind.NotAnImage, "not an image: the data is not PNG, JPEG, WebP, GIF or BMP");
        }
        var (name, width, height) = format.Value;
        if (width <= 0 || height <= 0)
            throw new ImageException(ImageErrorKind.NotAnImage, $"not an image: the {name} header gives no size");
        if ((long)width * height > ImageLimits.MaxPixels)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: {width}×{height} pixels; at most {ImageLimits.MaxPixels / (1024 * 1024)} megapixels");
        return new ImageHeader(name, width, height);
    }

    // Each reader: null when the signature is another format's; a size of 0 when the signature is its own but the
    // header is cut short or makes no sense (then "gives no size").
    private static (string, int, int)? Png(ReadOnlySpan<byte> b)
    {
        if (!b.StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }))
            return null;
        if (b.Length < 24 || !b[12..16].SequenceEqual("IHDR"u8))
            return ("PNG", 0, 0);
        return ("PNG", BinaryPrimitives.ReadInt32BigEndian(b[16..]), BinaryPrimitives.ReadInt32BigEndian(b[20..]));
    }

    // Markers until the first start-of-frame, which holds the size; SOS or EOI first means the header has none.
    private static (string, int, int)? Jpeg(ReadOnlySpan<byte> b)
    {
        if (b.Length < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF)
            return null;
        var at = 2;
        while (at + 4 <= b.Length)
        {
            if (b[at] != 0xFF)
                return ("JPEG", 0, 0);
            var marker = b[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                at += 2; // markers without a length
                continue;
            }
            if (marker is 0xD9 or 0xDA)
                return ("JPEG", 0, 0);
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(at + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                return at + 9 <= b.Length && length >= 7
                    ? ("JPEG", BinaryPrimitives.ReadUInt16BigEndian(b[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(at + 5)..]))
                    : ("JPEG", 0, 0);
            }
            if (length < 2)
                return ("JPEG", 0, 0);
            at += 2 + length;
        }
        return ("JPEG", 0, 0);
    }

    private static (string, int, int)? Webp(ReadOnlySpan<byte> b)
    {
        if (b.Length < 12 || !b.StartsWith("RIFF"u8) || !b[8..12].SequenceEqual("WEBP"u8))
            return null;
        if (b.Length < 30)
            return ("WebP", 0, 0);
        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            return b[23] == 0x9D && b[24] == 0x01 && b[25] == 0x2A
                ? ("WebP", BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF)
                : ("WebP", 0, 0);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Lossless: the signature 0x2F, then width − 1 and height − 1 in 14 bits each.
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            return b[20] == 0x2F ? ("WebP", (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1) : ("WebP", 0, 0);
        }
        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Extended (animation, alpha): the canvas's width − 1 and height − 1 in 24 bits each.
            return ("WebP", (b[24] | (b[25] << 8) | (b[26] << 16)) + 1, (b[27] | (b[28] << 8) | (b[29] << 16)) + 1);
        }
        return ("WebP", 0, 0);
    }

    private static (string, int, int)? Gif(ReadOnlySpan<byte> b)
    {
        if (!b.StartsWith("GIF87a"u8) && !b.StartsWith("GIF89a"u8))
            return null;
        return b.Length < 10 ? ("GIF", 0, 0) : ("GIF", BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
    }

    // The file header, then the DIB header: 12 bytes (OS/2, 16-bit sizes) or larger (32-bit; a negative height is top-down).
    private static (string, int, int)? Bmp(ReadOnlySpan<byte> b)
    {
        if (b.Length < 18 || !b.StartsWith("BM"u8))
            return null;
        var dib = BinaryPrimitives.ReadInt32LittleEndian(b[14..]);
        if (dib == 12)
            return b.Length < 22 ? ("BMP", 0, 0) : ("BMP", BinaryPrimitives.ReadUInt16LittleEndian(b[18..]), BinaryPrimitives.ReadUInt16LittleEndian(b[20..]));
        if (dib < 16 || b.Length < 26)
            return ("BMP", 0, 0);
        var height = BinaryPrimitives.ReadInt32LittleEndian(b[22..]);
        return ("BMP", BinaryPrimitives.ReadInt32LittleEndian(b[18..]), height == int.MinValue ? 0 : Math.Abs(height));
    }
}
