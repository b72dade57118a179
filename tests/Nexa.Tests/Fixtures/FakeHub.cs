using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nexa.Tests.Fixtures;

/// <summary>One request the hub answered, as a test sees it.</summary>
public sealed record HubRequest(string Method, string Path, string? Range, string? Authorization, int Status);

/// <summary>
/// A fake Hugging Face hub on 127.0.0.1 speaking the real hub's routes and headers over real HTTP:
/// model info, tree listing (LFS sizes and SHA-256, cursor pagination), resolve with redirects of
/// LFS files to a CDN-like blob route, byte ranges, token auth, and per-file fault injection.
/// </summary>
public sealed partial class FakeHub : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HubRepo> _repos = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Repo, string Path), FileFaults> _faults = [];
    private readonly List<HubRequest> _requests = [];
    private readonly WebApplication _app;

    private FakeHub(WebApplication app) => _app = app;

    /// <summary>"http://127.0.0.1:port", without a trailing slash.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>When set, every hub route but the blob route answers 401 unless sent "Authorization: Bearer {token}".</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Tree entries per page before a Link rel="next" header is sent; the real hub pages at 1000.</summary>
    public int TreePageSize { get; set; } = 1000;

    public static async Task<FakeHub> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            // Throttled bodies must not be cut off by Kestrel's minimum data rate.
            kestrel.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var hub = new FakeHub(app);
        hub.MapRoutes(app);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        hub.Endpoint = addresses.Addresses.Single().TrimEnd('/');
        return hub;
    }

    public void AddRepo(string repo)
    {
        CheckRepoId(repo);
        lock (_lock)
            _repos.TryAdd(repo, HubRepo.Empty(repo));
    }

    /// <param name="lfs">Null: LFS for weight formats (.gguf, .onnx, .safetensors, .bin…) and files of 10 MB or more.</param>
    public void AddFile(string repo, string path, byte[] content, bool? lfs = null) =>
        Add(repo, path, new BytesContent(content), lfs);

    /// <summary>A file of deterministic pseudo-random bytes made on the fly (its hashes are computed here, once).</summary>
    public void AddGeneratedFile(string repo, string path, long size, int seed, bool? lfs = null) =>
        Add(repo, path, new GeneratedContent(size, seed), lfs);

    /// <summary>The commit id that "main" resolves to now (X-Repo-Commit, "sha" in model info).</summary>
    public string CommitSha(string repo) => GetRepo(repo)?.Commit ?? throw new KeyNotFoundException(repo);

    /// <summary>The SHA-256 of the file's true content, as advertised in listings and X-Linked-Etag.</summary>
    public string Sha256(string repo, string path) =>
        GetRepo(repo)?.Files.GetValueOrDefault(path)?.Sha256 ?? throw new KeyNotFoundException($"{repo}/{path}");

    /// <summary>Requests answered so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<HubRequest> Requests
    {
        get
        {
            lock (_lock)
                return [.. _requests];
        }
    }

    /// <summary>Bytes of this file's body written to clients so far, over all GETs and ranges.</summary>
    public long BodyBytesServed(string repo, string path)
    {
        lock (_lock)
            return _faults.GetValueOrDefault((repo, path))?.BytesServed ?? 0;
    }

    /// <summary>
    /// The next <paramref name="times"/> body GETs send <paramref name="bytes"/> bytes of the body (counted from the
    /// start of the range served), then close the connection short of Content-Length: the client's read fails
    /// after exactly that many bytes.
    /// </summary>
    public void DropConnectionAfter(string repo, string path, long bytes, int times = 1) => Fault(repo, path, f =>
    {
        f.DropAfter = bytes;
        f.DropTimes = times;
    });

    /// <summary>The next <paramref name="times"/> body GETs flip bits in every byte served; listings keep the true SHA-256 and size. 0 stops it.</summary>
    public void ServeCorruptBody(string repo, string path, int times = int.MaxValue) => Fault(repo, path, f => f.CorruptTimes = times);

    /// <summary>Pace this file's bodies at about <paramref name="bytesPerSecond"/>, in chunks of up to 16 KiB; 0 or less stops it.</summary>
    public void Throttle(string repo, string path, int bytesPerSecond) => Fault(repo, path, f => f.BytesPerSecond = bytesPerSecond);

    /// <summary>The next <paramref name="times"/> body GETs answer <paramref name="statusCode"/> (e.g. 500, 503) and no file.</summary>
    public void FailNext(string repo, string path, int statusCode, int times = 1) => Fault(repo, path, f =>
    {
        f.FailStatus = statusCode;
        f.FailTimes = times;
    });

    public async ValueTask DisposeAsync()
    {
        // Tests end with downloads still running (throttled, abandoned): abort them rather than
        // wait out the host's graceful shutdown.
        using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private void Add(string repo, string path, BlobContent content, bool? lfs)
    {
        CheckRepoId(repo);
        path = path.Trim('/');
        if (path.Length == 0)
            throw new ArgumentException("A file needs a path.", nameof(path));
        var file = HubFile.Create(path, content, lfs);
        lock (_lock)
            _repos[repo] = (_repos.GetValueOrDefault(repo) ?? HubRepo.Empty(repo)).With(file);
    }

    private HubRepo? GetRepo(string repo)
    {
        lock (_lock)
            return _repos.GetValueOrDefault(repo);
    }

    private void Fault(string repo, string path, Action<FileFaults> change)
    {
        lock (_lock)
            change(FaultsOf(repo, path));
    }

    private FileFaults FaultsOf(string repo, string path)
    {
        if (!_faults.TryGetValue((repo, path), out var faults))
            _faults[(repo, path)] = faults = new FileFaults();
        return faults;
    }

    /// <summary>Takes what the next body GET of this file should suffer, consuming one use of each fault.</summary>
    private BodyPlan TakePlan(string repo, string path)
    {
        lock (_lock)
        {
            var f = FaultsOf(repo, path);
            if (f.FailTimes > 0)
            {
                f.FailTimes--;
                return new BodyPlan(f.FailStatus, null, false, 0);
            }
            long? drop = f.DropTimes > 0 ? f.DropAfter : null;
            if (drop is not null)
                f.DropTimes--;
            var corrupt = f.CorruptTimes > 0;
            if (corrupt && f.CorruptTimes != int.MaxValue)
                f.CorruptTimes--;
            return new BodyPlan(null, drop, corrupt, f.BytesPerSecond);
        }
    }

    private void CountServed(string repo, string path, int bytes)
    {
        lock (_lock)
            FaultsOf(repo, path).BytesServed += bytes;
    }

    private void Record(HttpContext context)
    {
        var request = context.Request;
        var entry = new HubRequest(
            request.Method,
            request.Path.Value ?? "",
            request.Headers.Range.Count > 0 ? request.Headers.Range.ToString() : null,
            request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null,
            context.Response.StatusCode);
        lock (_lock)
            _requests.Add(entry);
    }

    private static void CheckRepoId(string repo)
    {
        var parts = repo.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0))
            throw new ArgumentException($"A repo id is \"org/name\", not \"{repo}\".", nameof(repo));
    }

    private sealed class FileFaults
    {
        public int FailStatus;
        public int FailTimes;
        public long DropAfter;
        public int DropTimes;
        public int CorruptTimes;
        public int BytesPerSecond;
        public long BytesServed;
    }

    private readonly record struct BodyPlan(int? FailStatus, long? DropAfter, bool Corrupt, int BytesPerSecond);
}
