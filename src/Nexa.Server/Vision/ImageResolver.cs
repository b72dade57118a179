using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Server.Chat;
using Nexa.Server.Errors;

namespace Nexa.Server.Vision;

/// <summary>
/// Turns a chat job's image parts into the PNGs the engine takes, before any model is leased: all images of a request
/// are fetched and prepared concurrently, and the first failure (in request order) cancels the rest and answers the
/// client with the part's place (<c>messages[1].content[2].image_url.url</c>).
/// </summary>
internal sealed class ImageResolver(ImageFetcher fetcher, ImagePolicy policy)
{
    public async Task<ChatRequest> AttachAsync(ChatJob job, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = job.Images.Select(part => PrepareAsync(part, job.ImageMaxLength, failed)).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch when (!ct.IsCancellationRequested)
        {
            // The first image in request order that failed for its own reason, not because another one cancelled it.
            throw tasks.Select(t => t.Exception?.InnerException).First(e => e is not null and not OperationCanceledException)!;
        }

        var messages = job.Request.Messages.ToArray();
        foreach (var group in job.Images.Select((part, i) => (part, image: tasks[i].Result)).GroupBy(x => x.part.Message))
        {
            var images = group.Select(x => new ChatImage(x.image.Png, x.part.Position)).ToList();
            messages[group.Key] = messages[group.Key] with { Images = images };
        }
        return job.Request with { Messages = messages };
    }

    private async Task<PreparedImage> PrepareAsync(ImagePart part, int maxLength, CancellationTokenSource failed)
    {
        try
        {
            var bytes = await BytesAsync(part, failed.Token);
            // Decoding is CPU work: off the request thread, so several images decode in parallel.
            return await Task.Run(() => ImagePreparer.Prepare(bytes, maxLength), failed.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync();
            throw new ApiException(ToError(e, part.Param));
        }
    }

    private async Task<byte[]> BytesAsync(ImagePart part, CancellationToken ct)
    {
        switch (ImageSource.Parse(part.Url))
        {
            case ImageSource.Remote remote:
                return await fetcher.FetchAsync(remote.Url, ct);
            case ImageSource.Inline inline:
                return DecodeBase64(inline.Base64);
            case ImageSource.LocalFile file:
                if (!policy.AllowLocalFiles)
                    throw new LocalFilesForbiddenException();
                return await ReadFileAsync(file.Path, ct);
            default:
                throw new InvalidOperationException("unknown image source");
        }
    }

    private static byte[] DecodeBase64(string base64)
    {
        // Clients wrap long base64 lines and URL-encode nothing else; whitespace is not data.
        var compact = string.Concat(base64.Where(c => !char.IsWhiteSpace(c)));
        var bytes = new byte[compact.Length / 4 * 3 + 3];
        if (compact.Length == 0 || !Convert.TryFromBase64String(compact, bytes, out var written))
            throw new ImageSourceException("invalid data URI: the data is not valid base64");
        return bytes[..written];
    }

    private static async Task<byte[]> ReadFileAsync(string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException(Directory.Exists(path) ? $"'{path}' is a folder, not an image file" : $"file not found on the server: '{path}'");
        if (info.Length > ImagePreparer.MaxBytes)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: '{path}' has {info.Length} bytes; at most {ImagePreparer.MaxBytes}");
        try
        {
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"the server may not read '{path}'");
        }
    }

    private static ApiError ToError(Exception e, string param) => e switch
    {
        ApiException api => api.Error,
        ImageException image => ErrorTable.BadImage(param, image.Kind, image.Message),
        ImageSourceException source => ErrorTable.BadImageUrl(param, source.Message),
        ImageFetchException { Forbidden: true } fetch => ErrorTable.PrivateUrlForbidden(param, fetch.Message),
        ImageFetchException fetch => ErrorTable.ImageFetchFailed(param, fetch.Message),
        LocalFilesForbiddenException => ErrorTable.LocalFilesForbidden(param),
        FileNotFoundException missing => ErrorTable.ImageFileNotFound(param, missing.Message),
        IOException io => ErrorTable.ImageFileNotFound(param, $"cannot read the file: {io.Message}"),
        _ => throw e,
    };

    private sealed class LocalFilesForbiddenException : Exception;
}
