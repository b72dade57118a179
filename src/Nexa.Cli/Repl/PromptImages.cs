using System.Text;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;

namespace Nexa.Cli.Repl;

/// <summary>An image file named in a typed prompt, and where in the remaining text it sat.</summary>
internal sealed record PromptImage(string Path, int Position);

/// <summary>
/// Finds image files in a typed prompt, as the original's REPL does: a word (or a quoted string, for paths with
/// spaces) that ends in .png, .jpg, .jpeg or .webp and names an existing file becomes an image at that place, and
/// leaves the text. A word that looks like a path but names no file stays text ("what is a .png file?").
/// </summary>
internal static class PromptImages
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp"];

    public static (string Text, IReadOnlyList<PromptImage> Images) Extract(string prompt, Func<string, bool>? fileExists = null)
    {
        fileExists ??= File.Exists;
        var text = new StringBuilder();
        var images = new List<PromptImage>();
        var dropSpaceAfter = false;
        var i = 0;
        while (i < prompt.Length)
        {
            if (char.IsWhiteSpace(prompt[i]))
            {
                if (!dropSpaceAfter)
                    text.Append(prompt[i]);
                i++;
                continue;
            }
            var (token, end) = ReadToken(prompt, i);
            dropSpaceAfter = false;
            if (ImagePath(token) is { } path && fileExists(path))
            {
                // The image replaces the word and the spaces before it; at the very start, the spaces after it.
                while (text.Length > 0 && char.IsWhiteSpace(text[^1]))
                    text.Length--;
                images.Add(new PromptImage(path, text.Length));
                dropSpaceAfter = text.Length == 0;
            }
            else
            {
                text.Append(prompt, i, end - i);
            }
            i = end;
        }
        var result = text.ToString().TrimEnd();
        return (result, [.. images.Select(im => im with { Position = Math.Min(im.Position, result.Length) })]);
    }

    // A quoted string ("…" or '…') or a run of non-space characters.
    private static (string Token, int End) ReadToken(string prompt, int start)
    {
        var quote = prompt[start];
        if (quote is '"' or '\'')
        {
            var close = prompt.IndexOf(quote, start + 1);
            if (close > start)
                return (prompt[start..(close + 1)], close + 1);
        }
        var end = start;
        while (end < prompt.Length && !char.IsWhiteSpace(prompt[end]))
            end++;
        return (prompt[start..end], end);
    }

    private static string? ImagePath(string token)
    {
        var path = token.Length >= 2 && token[0] is '"' or '\'' && token[^1] == token[0] ? token[1..^1] : token;
        if (!Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            return null;
        if (path.StartsWith("~/", StringComparison.Ordinal))
            path = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        return path;
    }
}

/// <summary>Reads and prepares the images a prompt named, as the server would (decode, check, shrink, PNG).</summary>
internal static class PromptImageLoader
{
    /// <summary>Throws <see cref="ImageException"/> naming the file when one cannot be used.</summary>
    public static async Task<IReadOnlyList<ChatImage>> LoadAsync(IReadOnlyList<PromptImage> images, int maxLength, CancellationToken ct)
    {
        var loaded = new List<ChatImage>(images.Count);
        foreach (var image in images)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(image.Path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImageException(ImageErrorKind.NotAnImage, $"cannot read {image.Path}: {e.Message}");
            }
            try
            {
                // Checked here so the REPL names the file; the engine decodes again with the same limit (a no-op resize).
                loaded.Add(new ChatImage(ImagePreparer.Prepare(bytes, maxLength).Png, image.Position) { MaxLength = maxLength });
            }
            catch (ImageException e)
            {
                throw new ImageException(e.Kind, $"{image.Path}: {e.Message}");
            }
        }
        return loaded;
    }
}
