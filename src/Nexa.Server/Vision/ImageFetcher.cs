using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Nexa.Engine.Vision;

namespace Nexa.Server.Vision;

/// <summary>
/// Downloads remote images: bounded in time, size and redirects, with the content type checked, and (when the policy
/// says so) never from a private address. The address check runs where the socket connects, on the address actually
/// dialled, so a host name that resolves to a public address for a check and a private one for the connection (DNS
/// rebinding) gains nothing; every redirect hop goes through the same connect step. No proxy: it would connect for us.
/// </summary>
internal sealed class ImageFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ImagePolicy _policy;

    public ImageFetcher(ImagePolicy policy)
    {
        _policy = policy;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = policy.FetchTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("nexa-image-fetch/1.0");
        _http.DefaultRequestHeaders.Accept.ParseAdd("image/*");
    }

    /// <summary>The image's bytes; throws <see cref="ImageFetchException"/> with what a client should hear.</summary>
    public async Task<byte[]> FetchAsync(Uri url, ImageByteBudget budget, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_policy.FetchTimeout);
        try
        {
            return await FollowAsync(url, budget, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ImageFetchException($"timed out after {_policy.FetchTimeout.TotalSeconds:0} s fetching {url}");
        }
        catch (HttpRequestException e) when (Forbidden(e) is { } forbidden)
        {
            throw new ImageFetchException(forbidden.Message, forbidden: true);
        }
        catch (HttpRequestException e)
        {
            throw new ImageFetchException($"cannot fetch {url}: {Reason(e)}");
        }
    }

    private async Task<byte[]> FollowAsync(Uri url, ImageByteBudget budget, CancellationToken ct)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var response = await _http.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, ct);
            if (IsRedirect(response.StatusCode))
            {
                if (hop == _policy.MaxRedirects)
                    throw new ImageFetchException($"too many redirects fetching {url} (more than {_policy.MaxRedirects})");
                var location = response.Headers.Location ?? throw new ImageFetchException($"{current} redirected without a Location");
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (current.Scheme is not ("http" or "https"))
                    throw new ImageFetchException($"{url} redirected to a {current.Scheme}: URL; only http and https are followed");
                continue;
            }
            if (!response.IsSuccessStatusCode)
                throw new ImageFetchException($"{current} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            CheckContentType(response.Content.Headers.ContentType, current);
            return await ReadCappedAsync(response.Content, current, budget, ct);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    // image/* is what we want; octet-stream (or no type) is common from object stores, so the bytes decide.
    private static void CheckContentType(MediaTypeHeaderValue? type, Uri url)
    {
        var media = type?.MediaType?.ToLowerInvariant();
        if (media is null || media.StartsWith("image/", StringComparison.Ordinal) || media is "application/octet-stream" or "binary/octet-stream")
            return;
        throw new ImageException(ImageErrorKind.NotAnImage, $"not an image: {url} answered Content-Type {media}");
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, Uri url, ImageByteBudget budget, CancellationToken ct)
    {
        if (content.Headers.ContentLength > ImageLimits.MaxBytes)
            throw TooLarge(url);
        await using var body = await content.ReadAsStreamAsync(ct);
        // Sized by Content-Length when the server sends one (one allocation, no copies), else grown as bytes arrive.
        using var buffer = new MemoryStream(content.Headers.ContentLength is { } length ? (int)length : 0);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > ImageLimits.MaxBytes)
                throw TooLarge(url);
            budget.Take(read);
            buffer.Write(chunk, 0, read);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    private static ImageException TooLarge(Uri url) =>
        new(ImageErrorKind.TooLarge, $"image too large: {url} sends more than {ImageLimits.MaxBytes} bytes");

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = _policy.AllowPrivateUrls ? addresses : [.. addresses.Where(a => !AddressPolicy.IsPrivate(a))];
        if (allowed.Length == 0 && addresses.Length > 0)
            throw new PrivateAddressException(host, addresses[0]);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static PrivateAddressException? Forbidden(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PrivateAddressException found)
                return found;
        }
        return null;
    }

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "the host name does not resolve",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException socket => socket.Message,
        { } inner => inner.Message,
        null => e.Message,
    };

    public void Dispose() => _http.Dispose();

    private sealed class PrivateAddressException(string host, IPAddress address)
        : Exception($"'{host}' resolves to {address}, a loopback or private address; this server listens on the network and does not fetch from its own or private networks (start it with --allow-private-urls to allow that)");
}

/// <summary>A remote image that could not be fetched; <see cref="Forbidden"/>: refused by the private-address policy.</summary>
internal sealed class ImageFetchException(string message, bool forbidden = false) : Exception(message)
{
    public bool Forbidden { get; } = forbidden;
}
