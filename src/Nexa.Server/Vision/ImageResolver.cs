using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Server.Chat;
using Nexa.Server.Errors;

namespace Nexa.Server.Vision;

/// <summary>
/// Fetches a chat job's image parts before any model is leased: all images of a request at once, within one byte
/// budget, each checked from its header alone (format, pixel count); the first failure (in request order) cancels
/// the rest and answers the client with the part's place (<c>messages[1].content[2].image_url.url</c>). The bytes go
/// to the engine as they came: decoding them is the runner's work (<see cref="ChatImage.MaxLength"/>), never the
/// server's, so a hostile file costs the server no more than its bytes.
/// </summary>
internal sealed class ImageResolver(ImageFetcher fetcher, ImagePolicy policy, ImageMemory memory)
{
    /// <summary>A request's image budget: dispose it when the request ends, to give its bytes back to the server's.</summary>
    public ImageByteBudget NewBudget() => new(memory);

    public async Task<ChatRequest> AttachAsync(ChatJob job, ImageByteBudget budget, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = job.Images.Select(part => FetchAsync(part, budget, failed)).ToArray();
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
        foreach (var group in job.Images.Select((part, i) => (part, bytes: tasks[i].Result)).GroupBy(x => x.part.Message))
        {
            var images = group.Select(x => new ChatImage(x.bytes, x.part.Position) { Param = x.part.Param, MaxLength = job.ImageMaxLength }).ToList();
            messages[group.Key] = messages[group.Key] with { Images = images };
        }
        return job.Request with { Messages = messages };
    }

    private async Task<byte[]> FetchAsync(ImagePart part, ImageByteBudget budget, CancellationTokenSource failed)
    {
        try
        {
            var bytes = await BytesAsync(part, budget, failed.Token);
            ImageHeader.Read(bytes);
            return bytes;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync();
            throw new ApiException(ToError(e, part.Param));
        }
    }

    private async Task<byte[]> BytesAsync(ImagePart part, ImageByteBudget budget, CancellationToken ct)
    {
        switch (ImageSource.Parse(part.Url))
        {
            case ImageSource.Remote remote:
                return await fetcher.FetchAsync(remote.Url, budget, ct);
            case ImageSource.Inline inline:
                var bytes = DecodeBase64(inline.Base64);
                budget.Take(bytes.Length);
                return bytes;
            case ImageSource.LocalFile file:
                if (!policy.AllowLocalFiles)
                    throw new LocalFilesForbiddenException();
                return await LocalImageFile.ReadAsync(file.Path, budget, ct);
            default:
                throw new InvalidOperationException("unknown image source");
        }
    }

    private static byte[] DecodeBase64(string base64)
    {
        // Clients wrap long base64 lines and URL-encode nothing else; whitespace is not data.
        var compact = string.Concat(base64.Where(c => !char.IsWhiteSpace(c)));
        if (compact.Length / 4 * 3 > ImageLimits.MaxBytes + 3)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: more than {ImageLimits.MaxBytes} bytes");
        var bytes = new byte[compact.Length / 4 * 3 + 3];
        if (compact.Length == 0 || !Convert.TryFromBase64String(compact, bytes, out var written))
            throw new ImageSourceException("invalid data URI: the data is not valid base64");
        return bytes[..written];
    }

    private static ApiError ToError(Exception e, string param) => e switch
    {
        ApiException api => api.Error,
        ImageException image => ErrorTable.BadImage(param, image),
        ImageSourceException source => ErrorTable.BadImageUrl(param, source.Message),
        ImageFetchException { Forbidden: true } fetch => ErrorTable.PrivateUrlForbidden(param, fetch.Message),
        ImageFetchException fetch => ErrorTable.ImageFetchFailed(param, fetch.Message),
        LocalFilesForbiddenException => ErrorTable.LocalFilesForbidden(param),
        FileNotFoundException missing => ErrorTable.ImageFileNotFound(param, missing.Message),
        IOException io => ErrorTable.ImageFileNotFound(param, $"cannot read the file: {io.Message}"),
        // A path .NET will not take (the parser refuses NUL already; this is the last line).
        ArgumentException bad => ErrorTable.BadImageUrl(param, $"invalid path: {bad.Message}"),
        _ => throw e,
    };

    private sealed class LocalFilesForbiddenException : Exception;
}
