using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// A web server on 127.0.0.1 (port 0) that the nexa server fetches images from: one image per format, a big one,
/// HTML, an untyped body, a redirect chain, an endpoint that never answers, a body over the size cap, a 404.
/// </summary>
public sealed class ImageHost : IAsyncDisposable
{
    public static readonly byte[] RedPng = TestImages.Png(64, 48);
    public static readonly byte[] BigJpeg = TestImages.Jpeg(2000, 1000);

    private readonly WebApplication _app;
    private int _hits;

    private ImageHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Requests served so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<ImageHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ImageHost? host = null;
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref host!._hits);
            await next(context);
        });
        Serve(app, "/red.png", "image/png", RedPng);
        Serve(app, "/photo.jpg", "image/jpeg", TestImages.Jpeg(64, 48));
        Serve(app, "/pic.webp", "image/webp", TestImages.Webp(64, 48));
        Serve(app, "/anim.gif", "image/gif", TestImages.Gif(64, 48, TestImages.Red, TestImages.Blue));
        Serve(app, "/pic.bmp", "image/bmp", TestImages.Bmp(64, 48));
        Serve(app, "/big.jpg", "image/jpeg", BigJpeg);
        Serve(app, "/untyped", "application/octet-stream", RedPng);
        Serve(app, "/page.html", "text/html; charset=utf-8", "<html><body>a page, not a picture</body></html>"u8.ToArray());
        Serve(app, "/lying.png", "image/png", "this is text"u8.ToArray());
        app.MapGet("/redirect/{n:int}", (int n) => Results.Redirect(n == 0 ? "/red.png" : $"/redirect/{n - 1}"));
        app.MapGet("/missing.png", () => Results.NotFound());
        app.MapGet("/slow.png", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
            return Results.Bytes(RedPng, "image/png");
        });
        app.MapGet("/huge.png", async (HttpContext http) =>
        {
            // No Content-Length: the cap must hold while streaming, not only from the header.
            http.Response.ContentType = "image/png";
            var chunk = new byte[64 * 1024];
            for (var sent = 0L; sent < 40L * 1024 * 1024 && !http.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        host = new ImageHost(app, new Uri(address));
        return host;
    }

    private static void Serve(WebApplication app, string path, string contentType, byte[] bytes) =>
        app.MapGet(path, () => Results.Bytes(bytes, contentType));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
