using System.Text.RegularExpressions;

namespace Nexa.Server.Vision;

/// <summary>
/// Where an <c>image_url.url</c> points, in every form the original's documentation names: an http(s) URL, a
/// <c>data:image/…;base64,</c> URI, a <c>file://</c> URL, or a plain path on the server (Windows paths such as
/// <c>C:/Users/…</c> or <c>C:\Users\…</c> included: "C:" is a drive, not a URL scheme).
/// </summary>
internal abstract partial record ImageSource
{
    public sealed record Remote(Uri Url) : ImageSource;

    /// <summary>The payload of a data URI, still base64 (decoded by the resolver so a bad one is reported there).</summary>
    public sealed record Inline(string MediaType, string Base64) : ImageSource;

    public sealed record LocalFile(string Path) : ImageSource;

    /// <summary>Parses the URL's form; throws <see cref="ImageSourceException"/> for a form we do not take.</summary>
    public static ImageSource Parse(string url)
    {
        var text = url.Trim();
        if (text.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            return ParseDataUri(text);
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
                ? new Remote(uri)
                : throw new ImageSourceException($"invalid URL: '{Shorten(text)}'");
        }
        if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            return Local(FileUrlPath(text));
        if (WindowsDrive().IsMatch(text))
            return Local(text);
        if (Scheme().Match(text) is { Success: true } scheme)
            throw new ImageSourceException($"unsupported URL scheme '{scheme.Groups[1].Value}:'; use http(s)://, data:image/…;base64, file:// or a path on the server");
        return Local(text);
    }

    // No file system takes NUL in a name, and .NET throws on it: a path with one (written, or %00 in a file URL) names no file.
    private static LocalFile Local(string path) =>
        path.Contains('\0', StringComparison.Ordinal)
            ? throw new ImageSourceException("invalid path: it contains a NUL character")
            : new LocalFile(path);

    // data:[<media type>][;param=value]*;base64,<data>: only base64 makes sense for binary images.
    private static Inline ParseDataUri(string text)
    {
        var comma = text.IndexOf(',');
        if (comma < 0)
            throw new ImageSourceException("invalid data URI: no ',' before the data");
        var header = text[5..comma].Split(';', StringSplitOptions.TrimEntries);
        if (!header.Skip(1).Contains("base64", StringComparer.OrdinalIgnoreCase))
            throw new ImageSourceException("invalid data URI: only base64 data is accepted (data:image/png;base64,…)");
        var mediaType = header[0].ToLowerInvariant();
        if (mediaType.Length > 0 && !mediaType.StartsWith("image/", StringComparison.Ordinal) && mediaType != "application/octet-stream")
            throw new ImageSourceException($"invalid data URI: media type '{mediaType}' is not an image");
        return new Inline(mediaType, text[(comma + 1)..]);
    }

    // file:///home/me/a.png, file://localhost/home/me/a.png, file:///C:/Users/me/a.png (the leading '/' before a drive goes).
    private static string FileUrlPath(string text)
    {
        var rest = text["file://".Length..];
        if (rest.StartsWith("localhost/", StringComparison.OrdinalIgnoreCase))
            rest = rest["localhost".Length..];
        else if (rest.Length > 0 && rest[0] != '/' && !WindowsDrive().IsMatch(rest))
            throw new ImageSourceException($"unsupported file URL '{Shorten(text)}': only files on this server (file:///path) can be read");
        var path = Uri.UnescapeDataString(rest);
        if (path.Length > 1 && path[0] == '/' && WindowsDrive().IsMatch(path[1..]))
            path = path[1..];
        return path;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "…";

    [GeneratedRegex(@"^[A-Za-z]:[\\/]")]
    private static partial Regex WindowsDrive();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]*):")]
    private static partial Regex Scheme();
}

/// <summary>An image URL that cannot be used as written (a 400 naming the part).</summary>
internal sealed class ImageSourceException(string message) : Exception(message);
