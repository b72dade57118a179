using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Hub.HuggingFace;

/// <summary>A file in a hub repository. <c>Sha256</c> is the LFS hash; small non-LFS files have only the git blob id.</summary>
public sealed record RepoFile(string Path, long Size, string? Sha256, string? GitOid);

/// <summary>A repository at one commit, with every file in it.</summary>
public sealed record RepoSnapshot(string Repo, string Revision, IReadOnlyList<RepoFile> Files);

/// <summary>Where the hub is and who we are to it: <c>HF_ENDPOINT</c>, <c>NEXA_HFTOKEN</c> / <c>HF_TOKEN</c>.</summary>
public sealed record HubSettings(string Endpoint, string? Token)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static HubSettings FromEnvironment(Func<string, string?> env)
    {
        var endpoint = env("HF_ENDPOINT");
        var token = env("NEXA_HFTOKEN");
        if (string.IsNullOrWhiteSpace(token))
            token = env("HF_TOKEN");
        return new HubSettings(
            string.IsNullOrWhiteSpace(endpoint) ? DefaultEndpoint : endpoint.Trim().TrimEnd('/'),
            string.IsNullOrWhiteSpace(token) ? null : token.Trim());
    }
}

/// <summary>The Hugging Face hub's model API: repository info, file tree with sizes and hashes, file URLs.</summary>
public sealed class HubClient(HttpClient http, HubSettings settings)
{
    public static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(60);

    public HubSettings Settings { get; } = settings;

    /// <summary>The repository's current commit and its complete file list.</summary>
    public async Task<RepoSnapshot> GetSnapshotAsync(string repo, CancellationToken cancel)
    {
        // The HttpClient has no overall timeout (downloads take hours); API calls get one here.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(ApiTimeout);
        try
        {
            return await GetSnapshotCoreAsync(repo, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new HubException(HubErrorKind.Network, $"the hub at {Settings.Endpoint} did not answer within {ApiTimeout.TotalSeconds:0} s", e);
        }
    }

    private async Task<RepoSnapshot> GetSnapshotCoreAsync(string repo, CancellationToken ct)
    {
        var info = await GetJsonAsync($"{Settings.Endpoint}/api/models/{repo}", repo, HubJsonContext.Default.ModelInfo, ct);
        var revision = string.IsNullOrEmpty(info.Sha) ? "main" : info.Sha;

        var files = new List<RepoFile>();
        string? url = $"{Settings.Endpoint}/api/models/{repo}/tree/{revision}?recursive=true";
        while (url is not null)
        {
            using var response = await SendAsync(HttpMethod.Get, url, repo, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var entries = await JsonSerializer.DeserializeAsync(body, HubJsonContext.Default.ListTreeEntry, ct) ?? [];
            files.AddRange(entries.Where(e => e.Type == "file" && e.Path is not null)
                .Select(e => new RepoFile(e.Path!, e.Lfs?.Size ?? e.Size, e.Lfs?.Oid, e.Oid)));
            url = NextPageUrl(response);
            if (url is not null && url.StartsWith('/'))
                url = Settings.Endpoint + url;
        }
        return new RepoSnapshot(repo, revision, files);
    }

    public Uri ResolveUrl(string repo, string revision, string path) =>
        new($"{Settings.Endpoint}/{repo}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>Adds the bearer token (when one is set) to a request for the hub.</summary>
    public void Authorize(HttpRequestMessage request)
    {
        if (Settings.Token is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<T> GetJsonAsync<T>(string url, string repo, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, url, repo, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return await JsonSerializer.DeserializeAsync(body, type, ct)
            ?? throw new HubException(HubErrorKind.Network, $"the hub at {Settings.Endpoint} sent an empty answer for {repo}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string repo, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        Authorize(request);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new HubException(HubErrorKind.Network, $"cannot reach the hub at {Settings.Endpoint}: {e.Message}", e);
        }
        if (response.IsSuccessStatusCode)
            return response;
        response.Dispose();
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound =>
                new HubException(HubErrorKind.NotFound, $"model not found, or it needs a token: {repo}"
                    + (Settings.Token is null ? " (set NEXA_HFTOKEN or HF_TOKEN for gated or private models)" : "")),
            _ => new HubException(HubErrorKind.Network, $"the hub at {Settings.Endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase} for {repo}"),
        };
    }

    // The hub pages long trees with an RFC 8288 header: Link: <https://…?cursor=…>; rel="next".
    private static string? NextPageUrl(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
            return null;
        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';');
            if (parts.Length > 1 && parts.Skip(1).Any(p => p.Trim().Replace(" ", "") is "rel=\"next\"" or "rel=next"))
                return parts[0].Trim().TrimStart('<').TrimEnd('>');
        }
        return null;
    }
}

internal sealed record ModelInfo
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("sha")] public string? Sha { get; init; }
}

internal sealed record TreeEntry
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("oid")] public string? Oid { get; init; }
    [JsonPropertyName("lfs")] public LfsInfo? Lfs { get; init; }
}

internal sealed record LfsInfo
{
    [JsonPropertyName("oid")] public string? Oid { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
}

[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(List<TreeEntry>))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
