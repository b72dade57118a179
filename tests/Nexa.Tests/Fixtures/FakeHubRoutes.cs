using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Routing;

namespace Nexa.Tests.Fixtures;

public sealed partial class FakeHub
{
    private const int ChunkSize = 64 * 1024;
    private const int ThrottledChunkSize = 16 * 1024;
    private const string BlobPrefix = "/cdn-lfs";
    private static readonly DateTimeOffset LastModified = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private void MapRoutes(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                if (await AuthorizeAsync(context))
                    await next(context);
            }
            finally
            {
                Record(context);
            }
        });
        app.MapGet("/api/models/{org}/{name}", ModelInfoAsync);
        app.MapGet("/api/models/{org}/{name}/revision/{rev}", ModelInfoAsync);
        app.MapGet("/api/models/{org}/{name}/tree/{rev}/{**path}", TreeAsync);
        app.MapMethods("/{org}/{name}/resolve/{rev}/{**path}", [HttpMethods.Get, HttpMethods.Head], ResolveAsync);
        app.MapMethods(BlobPrefix + "/{org}/{name}/{sha256}", [HttpMethods.Get, HttpMethods.Head], BlobAsync);
    }

    private async Task<bool> AuthorizeAsync(HttpContext context)
    {
        var token = RequiredToken;
        // A CDN URL is pre-signed; clients drop the token when following the redirect.
        if (token is null || context.Request.Path.StartsWithSegments(BlobPrefix))
            return true;
        var header = context.Request.Headers.Authorization.ToString();
        if (header == "Bearer " + token)
            return true;
        // What the real hub answers: anonymous callers cannot tell a private repo from a missing one.
        if (header.Length == 0)
            await ErrorAsync(context, 401, "RepoNotFound", "Invalid username or password.");
        else
            await ErrorAsync(context, 401, null, "Invalid credentials in Authorization header");
        return false;
    }

    private async Task ModelInfoAsync(HttpContext context)
    {
        if (await FindRevisionAsync(context) is not { } repo)
            return;
        var blobs = context.Request.Query["blobs"] == "true";
        var siblings = repo.Files.Values.Select(f => blobs
            ? new SiblingWire(f.Path, f.Size, f.BlobOid, f.Lfs ? new SiblingLfsWire(f.Sha256, f.Size, f.PointerSize) : null)
            : new SiblingWire(f.Path)).ToArray();
        var info = new ModelInfoWire(
            repo.MongoId, repo.Id, repo.Id, repo.Id.Split('/')[0], repo.Commit, LastModified,
            Private: false, Gated: false, Disabled: false, Downloads: 0, Likes: 0, Tags: [], siblings);
        await context.Response.WriteAsJsonAsync(info, FakeHubJson.Default.ModelInfoWire, cancellationToken: context.RequestAborted);
    }

    private async Task TreeAsync(HttpContext context)
    {
        if (await FindRevisionAsync(context) is not { } repo)
            return;
        var folder = (context.Request.RouteValues["path"] as string ?? "").Trim('/');
        var recursive = context.Request.Query["recursive"].ToString() is "true" or "True" or "1";
        var entries = TreeEntries(repo, folder, recursive);
        if (entries is null)
        {
            await ErrorAsync(context, 404, "EntryNotFound", $"{folder} does not exist on \"{context.Request.RouteValues["rev"]}\"");
            return;
        }

        var offset = 0;
        var cursor = context.Request.Query["cursor"].ToString();
        if (cursor.Length > 0 && !TryDecodeCursor(cursor, out offset))
        {
            await ErrorAsync(context, 400, null, "Invalid cursor");
            return;
        }
        var pageSize = Math.Max(1, TreePageSize);
        var page = entries.Skip(offset).Take(pageSize).ToArray();
        if (offset + page.Length < entries.Count)
        {
            var query = new QueryBuilder(context.Request.Query.Where(q => q.Key != "cursor"))
            {
                { "cursor", Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset + page.Length}")) },
            };
            var request = context.Request;
            var next = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query.ToQueryString());
            context.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }
        await context.Response.WriteAsJsonAsync(page, FakeHubJson.Default.TreeEntryWireArray, cancellationToken: context.RequestAborted);
    }

    private async Task ResolveAsync(HttpContext context)
    {
        if (await FindRevisionAsync(context) is not { } repo)
            return;
        var path = (context.Request.RouteValues["path"] as string ?? "").Trim('/');
        if (!repo.Files.TryGetValue(path, out var file))
        {
            await ErrorAsync(context, 404, "EntryNotFound", "Entry not found");
            return;
        }

        var response = context.Response;
        response.Headers["X-Repo-Commit"] = repo.Commit;
        if (!file.Lfs)
        {
            await ServeBodyAsync(context, repo.Id, file, $"\"{file.BlobOid}\"");
            return;
        }
        var request = context.Request;
        var blobPath = $"{BlobPrefix}/{repo.Id}/{file.Sha256}";
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = UriHelper.BuildAbsolute(
            request.Scheme, request.Host, request.PathBase, blobPath, new QueryString($"?Expires={expires}&Signature=fake"));
        response.Headers.ETag = $"\"{file.BlobOid}\"";
        response.Headers["X-Linked-Etag"] = $"\"{file.Sha256}\"";
        response.Headers["X-Linked-Size"] = file.Size.ToString(CultureInfo.InvariantCulture);
    }

    private async Task BlobAsync(HttpContext context)
    {
        var values = context.Request.RouteValues;
        var repo = GetRepo($"{values["org"]}/{values["name"]}");
        var sha256 = values["sha256"] as string;
        var file = repo?.Files.Values.FirstOrDefault(f => f.Lfs && f.Sha256 == sha256);
        if (repo is null || file is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await ServeBodyAsync(context, repo.Id, file, $"\"{file.Sha256}\"");
    }

    /// <summary>Answers with the file's bytes (or the part Range asks for), suffering any faults set for it.</summary>
    private async Task ServeBodyAsync(HttpContext context, string repo, HubFile file, string etag)
    {
        var request = context.Request;
        var response = context.Response;
        var head = HttpMethods.IsHead(request.Method);
        var plan = head ? default : TakePlan(repo, file.Path);
        if (plan.FailStatus is { } status)
        {
            response.StatusCode = status;
            await response.WriteAsync($"Injected failure {status}", context.RequestAborted);
            return;
        }

        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = etag;
        response.ContentType = "application/octet-stream";
        var range = ByteRange.Parse(request.Headers.Range.ToString(), request.Headers.IfRange.ToString(), etag, file.Size);
        switch (range.Kind)
        {
            case RangeKind.Unsatisfiable:
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{file.Size}";
                return;
            case RangeKind.Partial:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {range.Start}-{range.Start + range.Length - 1}/{file.Size}";
                break;
        }
        response.ContentLength = range.Length;
        if (head)
            return;
        try
        {
            await WriteBodyAsync(context, repo, file, range, plan);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or the hub is stopping); nothing is left to answer.
        }
    }

    private async Task WriteBodyAsync(HttpContext context, string repo, HubFile file, ByteRange range, BodyPlan plan)
    {
        var cancellationToken = context.RequestAborted;
        var body = context.Response.Body;
        var limit = plan.DropAfter is { } drop ? Math.Min(drop, range.Length) : range.Length;
        var chunkSize = plan.BytesPerSecond > 0 ? Math.Clamp(plan.BytesPerSecond / 8, 1, ThrottledChunkSize) : ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            var clock = Stopwatch.StartNew();
            long written = 0;
            while (written < limit)
            {
                var n = (int)Math.Min(chunkSize, limit - written);
                var chunk = buffer.AsMemory(0, n);
                file.Content.CopyTo(range.Start + written, chunk.Span);
                if (plan.Corrupt)
                {
                    foreach (ref var b in chunk.Span)
                        b ^= 0x01;
                }
                await body.WriteAsync(chunk, cancellationToken);
                written += n;
                CountServed(repo, file.Path, n);
                if (plan.BytesPerSecond > 0)
                {
                    var wait = TimeSpan.FromSeconds((double)written / plan.BytesPerSecond) - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                        await Task.Delay(wait, cancellationToken);
                }
            }
            // Dropping: returning short of Content-Length makes Kestrel close the connection once what
            // was written has gone out. HttpContext.Abort() would also discard bytes still in Kestrel's
            // buffers, so the client would see an unpredictable count.
            if (limit < range.Length)
                await body.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Finds the repo and revision named by the route, or answers as the real hub does and returns null.</summary>
    private async Task<HubRepo?> FindRevisionAsync(HttpContext context)
    {
        var values = context.Request.RouteValues;
        var repo = GetRepo($"{values["org"]}/{values["name"]}");
        if (repo is null)
        {
            await ErrorAsync(context, 401, "RepoNotFound", "Repository not found");
            return null;
        }
        var revision = values["rev"] as string ?? "main";
        if (!repo.HasRevision(revision))
        {
            await ErrorAsync(context, 404, "RevisionNotFound", $"Invalid rev id: {revision}");
            return null;
        }
        return repo;
    }

    /// <summary>Files and folders under <paramref name="folder"/>, sorted by path; null when no such folder.</summary>
    private static List<TreeEntryWire>? TreeEntries(HubRepo repo, string folder, bool recursive)
    {
        var prefix = folder.Length == 0 ? "" : folder + "/";
        var files = repo.Files.Values.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (folder.Length > 0 && files.Count == 0)
            return null;

        var entries = new List<TreeEntryWire>();
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var rest = file.Path[prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash >= 0 && !recursive)
            {
                folders.Add(prefix + rest[..slash]);
                continue;
            }
            for (var i = rest.IndexOf('/'); i >= 0; i = rest.IndexOf('/', i + 1))
                folders.Add(prefix + rest[..i]);
            var lfs = file.Lfs ? new TreeLfsWire(file.Sha256, file.Size, file.PointerSize) : null;
            entries.Add(new TreeEntryWire("file", file.BlobOid, file.Size, file.Path, lfs));
        }
        foreach (var path in folders)
        {
            // Stands in for a git tree id: stable for the same folder at the same commit.
            var oid = HubFile.GitBlobOid(Encoding.UTF8.GetBytes($"tree {repo.Commit} {path}"));
            entries.Add(new TreeEntryWire("directory", oid, 0, path));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    private static bool TryDecodeCursor(string cursor, out int offset)
    {
        offset = 0;
        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(cursor, bytes, out var length)
            && Encoding.UTF8.GetString(bytes[..length]) is var text
            && text.StartsWith("offset:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan("offset:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    private static async Task ErrorAsync(HttpContext context, int status, string? code, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (code is not null)
            response.Headers["X-Error-Code"] = code;
        response.Headers["X-Error-Message"] = message;
        if (!HttpMethods.IsHead(context.Request.Method))
            await response.WriteAsJsonAsync(new HubErrorWire(message), FakeHubJson.Default.HubErrorWire, cancellationToken: context.RequestAborted);
    }
}
