using System.Text;

namespace Nexa.Engine.Vision;

/// <summary>
/// Names image formats we do not decode from their first bytes, so that a TIFF or a HEIC photo is answered
/// "unsupported image format" rather than "not an image" (which would send the user looking for the wrong mistake).
/// </summary>
public static class ImageSniffer
{
    public static string? KnownFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8))
            return "TIFF";
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8))
            return Brand(bytes[8..12]);
        if (bytes.StartsWith("8BPS"u8))
            return "PSD";
        if (bytes.Length >= 6 && (bytes.StartsWith(new byte[] { 0, 0, 1, 0 }) || bytes.StartsWith(new byte[] { 0, 0, 2, 0 })) && bytes[4] > 0)
            return bytes[2] == 1 ? "ICO" : "CUR";
        if (bytes.StartsWith(new byte[] { 0xFF, 0x0A }) || bytes.StartsWith("\0\0\0\fJXL \r\n"u8))
            return "JPEG XL";
        if (bytes.StartsWith(new byte[] { 0x76, 0x2F, 0x31, 0x01 }))
            return "OpenEXR";
        var head = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 256)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (head.StartsWith("<svg", StringComparison.OrdinalIgnoreCase)
            || (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) && head.Contains("<svg", StringComparison.OrdinalIgnoreCase)))
            return "SVG";
        return null;
    }

    // ISO base media files: HEIF/HEIC/AVIF photos are images; MP4/QuickTime videos are not.
    private static string? Brand(ReadOnlySpan<byte> brand) => Encoding.ASCII.GetString(brand) switch
    {
        "avif" or "avis" => "AVIF",
        "heic" or "heix" or "hevc" or "heim" or "heis" or "mif1" or "msf1" => "HEIF",
        _ => null,
    };
}
