using System.Text;
using Nexa.Engine.Vision;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Engine;

public class ImagePreparerTests
{
    public static TheoryData<string, byte[]> EveryFormat() => new()
    {
        { "PNG", TestImages.Png(40, 30) },
        { "JPEG", TestImages.Jpeg(40, 30) },
        { "WebP", TestImages.Webp(40, 30) },
        { "GIF", TestImages.Gif(40, 30, TestImages.Red) },
        { "BMP", TestImages.Bmp(40, 30) },
    };

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void Every_accepted_format_comes_out_as_a_png_of_the_same_picture(string format, byte[] bytes)
    {
        var image = ImagePreparer.Prepare(bytes);

        Assert.Equal(format, image.SourceFormat);
        Assert.True(TestImages.IsPng(image.Png));
        var (width, height, centre) = TestImages.Read(image.Png);
        Assert.Equal((40, 30), (width, height));
        Assert.Equal((40, 30), (image.Width, image.Height));
        Assert.InRange(centre.Red, 240, 255); // JPEG and WebP are lossy: red stays red
        Assert.InRange(centre.Blue, 0, 15);
    }

    [Fact]
    public void An_animated_gif_gives_its_first_frame()
    {
        var image = ImagePreparer.Prepare(TestImages.Gif(16, 16, TestImages.Blue, TestImages.Red));

        Assert.Equal(TestImages.Blue, TestImages.Read(image.Png).Centre);
    }

    [Theory]
    [InlineData(2000, 1000, 512, 512, 256)]
    [InlineData(1000, 2000, 512, 256, 512)]
    [InlineData(1023, 77, 100, 100, 8)]
    [InlineData(640, 480, 320, 320, 240)]
    [InlineData(3, 5000, 64, 1, 64)]
    public void A_large_image_is_shrunk_to_the_limit_keeping_its_aspect(int width, int height, int limit, int expectedWidth, int expectedHeight)
    {
        var image = ImagePreparer.Prepare(TestImages.Png(width, height), limit);

        Assert.Equal((expectedWidth, expectedHeight), (image.Width, image.Height));
        var read = TestImages.Read(image.Png);
        Assert.Equal((expectedWidth, expectedHeight), (read.Width, read.Height));
        Assert.Equal(TestImages.Red, read.Centre); // filtering a solid colour keeps the colour
    }

    [Fact]
    public void A_small_image_is_never_enlarged()
    {
        var image = ImagePreparer.Prepare(TestImages.Jpeg(100, 60), 4096);

        Assert.Equal((100, 60), (image.Width, image.Height));
    }

    [Fact]
    public void The_same_image_gives_the_same_bytes()
    {
        var bytes = TestImages.Jpeg(900, 700);

        Assert.Equal(ImagePreparer.Prepare(bytes).Png, ImagePreparer.Prepare(bytes).Png);
    }

    [Fact]
    public void A_header_claiming_too_many_pixels_is_refused_before_decoding()
    {
        // A 1×1 PNG whose header says 10000×10000 (100 MP): refused from the header alone, no 400 MB allocation.
        var png = TestImages.Png(1, 1);
        WriteBigEndian(png, 16, 10_000);
        WriteBigEndian(png, 20, 10_000);
        FixIhdrCrc(png);

        var e = Assert.Throws<ImageException>(() => ImagePreparer.Prepare(png));

        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
        Assert.Contains("10000×10000", e.Message);
    }

    [Fact]
    public void Too_many_bytes_are_refused()
    {
        var e = Assert.Throws<ImageException>(() => ImagePreparer.Prepare(new byte[ImagePreparer.MaxBytes + 1]));

        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
    }

    [Theory]
    [InlineData("<html><body>404 not found</body></html>")]
    [InlineData("just some text")]
    [InlineData("")]
    public void Bytes_that_are_no_image_are_refused_as_such(string text)
    {
        var e = Assert.Throws<ImageException>(() => ImagePreparer.Prepare(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(ImageErrorKind.NotAnImage, e.Kind);
        Assert.StartsWith("not an image", e.Message);
    }

    [Fact]
    public void Random_bytes_and_a_truncated_png_are_not_images()
    {
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        Assert.Equal(ImageErrorKind.NotAnImage, Assert.Throws<ImageException>(() => ImagePreparer.Prepare(random)).Kind);

        var png = TestImages.Png(64, 64);
        Assert.Equal(ImageErrorKind.NotAnImage, Assert.Throws<ImageException>(() => ImagePreparer.Prepare(png.AsSpan(0, 40))).Kind);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0 }, "TIFF")]
    [InlineData(new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0 }, "HEIF")]
    [InlineData(new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'a', (byte)'v', (byte)'i', (byte)'f', 0, 0 }, "AVIF")]
    public void Image_formats_we_do_not_take_are_named(byte[] head, string format)
    {
        var e = Assert.Throws<ImageException>(() => ImagePreparer.Prepare(head));

        Assert.Equal(ImageErrorKind.UnsupportedFormat, e.Kind);
        Assert.Contains(format, e.Message);
    }

    [Fact]
    public void An_svg_is_an_unsupported_format()
    {
        var svg = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>");

        Assert.Equal(ImageErrorKind.UnsupportedFormat, Assert.Throws<ImageException>(() => ImagePreparer.Prepare(svg)).Kind);
    }

    private static void WriteBigEndian(byte[] bytes, int at, int value)
    {
        for (var i = 0; i < 4; i++)
            bytes[at + i] = (byte)(value >> (24 - 8 * i));
    }

    // PNG's IHDR chunk: length (8..11), "IHDR" (12..15), 13 bytes of data, then a CRC-32 of type + data.
    private static void FixIhdrCrc(byte[] png) => WriteBigEndian(png, 29, (int)Crc32(png.AsSpan(12, 17)));

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
