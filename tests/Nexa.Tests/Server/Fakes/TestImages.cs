using SkiaSharp;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// Small images made at test time in every format the server takes. Skia encodes PNG, JPEG and WebP; it has no GIF
/// or BMP encoder, so those two are written here by hand (uncompressed BMP; GIF with a clear code before every pixel,
/// which keeps the LZW table empty and the writer trivially correct).
/// </summary>
public static class TestImages
{
    public static readonly SKColor Red = new(255, 0, 0);
    public static readonly SKColor Blue = new(0, 0, 255);

    public static byte[] Png(int width, int height, SKColor? color = null) => Encode(width, height, color ?? Red, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width, int height, SKColor? color = null) => Encode(width, height, color ?? Red, SKEncodedImageFormat.Jpeg);

    public static byte[] Webp(int width, int height, SKColor? color = null) => Encode(width, height, color ?? Red, SKEncodedImageFormat.Webp);

    public static byte[] Encode(int width, int height, SKColor color, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(format, 90) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
        return data.ToArray();
    }

    /// <summary>A 24-bit uncompressed BMP of one colour.</summary>
    public static byte[] Bmp(int width, int height, SKColor? color = null)
    {
        var c = color ?? Red;
        var stride = (width * 3 + 3) & ~3;
        var size = 54 + stride * height;
        using var stream = new MemoryStream(size);
        using var w = new BinaryWriter(stream);
        w.Write("BM"u8);
        w.Write(size);
        w.Write(0);
        w.Write(54);
        w.Write(40);
        w.Write(width);
        w.Write(height);
        w.Write((short)1);
        w.Write((short)24);
        w.Write(0);
        w.Write(stride * height);
        w.Write(2835);
        w.Write(2835);
        w.Write(0);
        w.Write(0);
        var row = new byte[stride];
        for (var x = 0; x < width; x++)
            (row[x * 3], row[x * 3 + 1], row[x * 3 + 2]) = (c.Blue, c.Green, c.Red);
        for (var y = 0; y < height; y++)
            w.Write(row);
        w.Flush();
        return stream.ToArray();
    }

    /// <summary>An animated GIF: one solid frame per colour.</summary>
    public static byte[] Gif(int width, int height, params SKColor[] frames)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write("GIF89a"u8);
        w.Write((ushort)width);
        w.Write((ushort)height);
        w.Write((byte)0xF1); // a global colour table of 4 entries
        w.Write((byte)0);
        w.Write((byte)0);
        var palette = new SKColor[4];
        for (var i = 0; i < palette.Length; i++)
            palette[i] = i < frames.Length ? frames[i] : SKColors.Black;
        foreach (var entry in palette)
            w.Write([entry.Red, entry.Green, entry.Blue]);
        for (var f = 0; f < frames.Length; f++)
        {
            w.Write([0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00]); // 0.1 s per frame
            w.Write((byte)0x2C);
            w.Write((ushort)0);
            w.Write((ushort)0);
            w.Write((ushort)width);
            w.Write((ushort)height);
            w.Write((byte)0);
            w.Write((byte)2); // LZW minimum code size: 2 bits (clear = 4, end = 5, codes of 3 bits)
            var bits = new BitPacker();
            for (var p = 0; p < width * height; p++)
            {
                bits.Add(4, 3);
                bits.Add(f, 3);
            }
            bits.Add(5, 3);
            var data = bits.ToArray();
            for (var at = 0; at < data.Length; at += 255)
            {
                var length = Math.Min(255, data.Length - at);
                w.Write((byte)length);
                w.Write(data, at, length);
            }
            w.Write((byte)0);
        }
        w.Write((byte)0x3B);
        w.Flush();
        return stream.ToArray();
    }

    /// <summary>Width, height and the colour of the centre pixel of an encoded image.</summary>
    public static (int Width, int Height, SKColor Centre) Read(byte[] encoded)
    {
        using var bitmap = SKBitmap.Decode(encoded) ?? throw new InvalidOperationException("not decodable");
        return (bitmap.Width, bitmap.Height, bitmap.GetPixel(bitmap.Width / 2, bitmap.Height / 2));
    }

    public static bool IsPng(byte[] bytes) => bytes.AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });

    private sealed class BitPacker
    {
        private readonly List<byte> _bytes = [];
        private int _buffer;
        private int _count;

        public void Add(int code, int width)
        {
            _buffer |= code << _count;
            _count += width;
            while (_count >= 8)
            {
                _bytes.Add((byte)_buffer);
                _buffer >>= 8;
                _count -= 8;
            }
        }

        public byte[] ToArray() => _count > 0 ? [.. _bytes, (byte)_buffer] : [.. _bytes];
    }
}
