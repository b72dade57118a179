using System.Text;
using Nexa.Engine.Vision;
using Nexa.Tests.Server.Fakes;
using SkiaSharp;

namespace Nexa.Tests.Vision;

/// <summary>The server's header-only check: the size of every format the engine decodes, without decoding a pixel.</summary>
public class ImageHeaderTests
{
    public static TheoryData<string, byte[], int, int> EveryFormat() => new()
    {
        { "PNG", TestImages.Png(40, 30), 40, 30 },
        { "JPEG", TestImages.Jpeg(641, 479), 641, 479 },
        { "WebP", TestImages.Webp(40, 30), 40, 30 },
        { "WebP", Webp("VP8L", [0x2F, .. BitConverter.GetBytes((uint)(39 | (29 << 14))), 0, 0, 0, 0, 0]), 40, 30 },
        { "WebP", Webp("VP8X", [0, 0, 0, 0, 39, 0, 0, 29, 0, 0]), 40, 30 },
        { "GIF", TestImages.Gif(40, 30, TestImages.Red), 40, 30 },
        { "BMP", TestImages.Bmp(40, 30), 40, 30 },
    };

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void Every_accepted_format_gives_its_size(string format, byte[] bytes, int width, int height)
    {
        var header = ImageHeader.Read(bytes);

        Assert.Equal(new ImageHeader(format, width, height), header);
    }

    [Fact]
    public void The_header_agrees_with_the_decoder_on_a_real_photo()
    {
        var jpeg = TestImages.Encode(1234, 567, TestImages.Blue, SKEncodedImageFormat.Jpeg);
        using var codec = SKCodec.Create(new MemoryStream(jpeg));

        var header = ImageHeader.Read(jpeg);

        Assert.Equal((codec.Info.Width, codec.Info.Height), (header.Width, header.Height));
    }

    [Fact]
    public void A_canvas_over_the_pixel_limit_is_too_large_from_its_header_alone()
    {
        // A PNG signature and an IHDR that claim 30000×30000, and nothing after: no pixel could be decoded anyway.
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 6, 0, 0, 0];

        var e = Assert.Throws<ImageException>(() => ImageHeader.Read(png));

        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
        Assert.Equal("image_too_large", e.Code);
        Assert.Contains("30000×30000", e.Message);
    }

    [Theory]
    [InlineData("TIFF", new byte[] { (byte)'I', (byte)'I', (byte)'*', 0, 8, 0, 0, 0 })]
    [InlineData("ICO", new byte[] { 0, 0, 1, 0, 1, 0, 16, 16 })]
    public void A_known_format_we_do_not_take_is_unsupported(string format, byte[] bytes)
    {
        var e = Assert.Throws<ImageException>(() => ImageHeader.Read(bytes));

        Assert.Equal(ImageErrorKind.UnsupportedFormat, e.Kind);
        Assert.Equal("unsupported_image_format", e.Code);
        Assert.Contains(format, e.Message);
    }

    [Fact]
    public void Text_random_bytes_and_cut_headers_are_not_images()
    {
        var random = new byte[512];
        new Random(7).NextBytes(random);
        random[0] = 0x42;
        var png = TestImages.Png(10, 10);
        var jpeg = TestImages.Jpeg(10, 10);

        foreach (var bytes in (byte[][])[Encoding.UTF8.GetBytes("<html>no</html>"), random, png[..20], jpeg[..6], [], "GIF89a"u8.ToArray()])
        {
            var e = Assert.Throws<ImageException>(() => ImageHeader.Read(bytes));
            Assert.Equal(ImageErrorKind.NotAnImage, e.Kind);
            Assert.Equal("invalid_image", e.Code);
        }
    }

    private static byte[] Webp(string chunk, byte[] data)
    {
        var payload = new byte[Math.Max(data.Length, 10)];
        data.CopyTo(payload, 0);
        return [.. "RIFF"u8, .. BitConverter.GetBytes(4 + 8 + payload.Length), .. "WEBP"u8, .. Encoding.ASCII.GetBytes(chunk), .. BitConverter.GetBytes(payload.Length), .. payload];
    }
}
