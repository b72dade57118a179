using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Nexa.Server.Images;

/// <summary>
/// The PNGs answered as URLs: <c>&lt;data-dir&gt;/images/&lt;id&gt;.png</c>, written atomically, served at
/// <c>/v1/images/files/&lt;id&gt;.png</c> until <c>--image-ttl</c> has passed, then gone. The id is 128 random bits:
/// the URL itself is the permission to read the image (OpenAI's URLs are pre-signed the same way), since a URL handed
/// to a browser or an <c>&lt;img&gt;</c> tag cannot carry a bearer token. A file's write time is its birth on the
/// server's clock, so expiry holds across restarts; a background sweep deletes what has expired.
/// </summary>
internal sealed partial class ImageFiles : IDisposable
{
    public const string RoutePrefix = "/v1/images/files/";

    private readonly string _dir;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ITimer _sweeper;

    public ImageFiles(string dataDir, TimeSpan ttl, TimeProvider time, ILogger log)
    {
        _dir = Path.Combine(dataDir, "images");
        _ttl = ttl;
        _time = time;
        _log = log;
        var period = TimeSpan.FromTicks(Math.Clamp(ttl.Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.Zero, period);
    }

    public TimeSpan Ttl => _ttl;

    /// <summary>Stores a PNG and returns its file name (<c>&lt;id&gt;.png</c>).</summary>
    public async Task<string> SaveAsync(byte[] png, CancellationToken ct)
    {
        Directory.CreateDirectory(_dir);
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + ".png";
        var path = Path.Combine(_dir, name);
        var temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, png, ct);
        File.SetLastWriteTimeUtc(temp, _time.GetUtcNow().UtcDateTime);
        File.Move(temp, path);
        return name;
    }

    /// <summary>The file to serve for a name from a URL; null when it is malformed, unknown or expired.</summary>
    public string? Find(string name)
    {
        if (!FileName().IsMatch(name))
            return null;
        var path = Path.Combine(_dir, name);
        var file = new FileInfo(path);
        if (!file.Exists)
            return null;
        if (!IsExpired(file))
            return path;
        TryDelete(path);
        return null;
    }

    /// <summary>Deletes expired images (and temporary files a crash left behind).</summary>
    public void Sweep()
    {
        try
        {
            if (!Directory.Exists(_dir))
                return;
            foreach (var file in new DirectoryInfo(_dir).EnumerateFiles())
            {
                if ((file.Extension is ".png" or ".tmp") && IsExpired(file))
                    TryDelete(file.FullName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("could not sweep expired images in {Dir}: {Message}", _dir, e.Message);
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private bool IsExpired(FileInfo file) => new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) + _ttl <= _time.GetUtcNow();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Served to someone right now, or already gone: the next sweep tries again.
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}\\.png$")]
    private static partial Regex FileName();
}
