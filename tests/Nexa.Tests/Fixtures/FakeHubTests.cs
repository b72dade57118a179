using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nexa.Tests.Fixtures;

public sealed class FakeHubTests
{
    private const string Repo = "org/tiny-GGUF";
    private static readonly byte[] Weights = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 + 7))];
    private static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"model_type\":\"llama\"}");

    [Fact]
    public async Task Model_info_lists_siblings_and_commit_sha()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();

        using var json = await GetJsonAsync(http, $"{hub.Endpoint}/api/models/{Repo}");

        var root = json.RootElement;
        Assert.Equal(Repo, root.GetProperty("id").GetString());
        Assert.Equal(Repo, root.GetProperty("modelId").GetString());
        Assert.Equal(hub.CommitSha(Repo), root.GetProperty("sha").GetString());
        Assert.Equal(40, root.GetProperty("sha").GetString()!.Length);
        Assert.False(root.GetProperty("private").GetBoolean());
        var names = root.GetProperty("siblings").EnumerateArray().Select(s => s.GetProperty("rfilename").GetString());
        Assert.Equal(["config.json", "model-Q4_K_M.gguf"], names);
    }

    [Fact]
    public async Task Model_info_at_a_revision_with_blobs_reports_sizes_and_lfs_sha256()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();

        using var json = await GetJsonAsync(http, $"{hub.Endpoint}/api/models/{Repo}/revision/{hub.CommitSha(Repo)}?blobs=true");
        using var unknown = await http.GetAsync($"{hub.Endpoint}/api/models/{Repo}/revision/v9");

        var siblings = json.RootElement.GetProperty("siblings").EnumerateArray().ToDictionary(s => s.GetProperty("rfilename").GetString()!);
        var gguf = siblings["model-Q4_K_M.gguf"];
        Assert.Equal(Weights.Length, gguf.GetProperty("size").GetInt64());
        Assert.Equal(Sha256Hex(Weights), gguf.GetProperty("lfs").GetProperty("sha256").GetString());
        Assert.Equal(GitBlobOid(Config), siblings["config.json"].GetProperty("blobId").GetString());
        Assert.False(siblings["config.json"].TryGetProperty("lfs", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("RevisionNotFound", Header(unknown, "X-Error-Code"));
    }

    [Fact]
    public async Task Model_info_for_unknown_repo_is_401_repo_not_found()
    {
        await using var hub = await FakeHub.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync($"{hub.Endpoint}/api/models/nobody/nothing");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("RepoNotFound", Header(response, "X-Error-Code"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Repository not found", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Tree_lists_lfs_files_with_sha256_and_small_files_without_lfs()
    {
        await using var hub = await StartWithFilesAsync();
        hub.AddFile(Repo, "sub/mmproj.gguf", [1, 2, 3]);
        using var http = new HttpClient();

        using var json = await GetJsonAsync(http, $"{hub.Endpoint}/api/models/{Repo}/tree/main?recursive=true");

        var entries = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!);
        Assert.Equal(["config.json", "model-Q4_K_M.gguf", "sub", "sub/mmproj.gguf"], entries.Keys.Order(StringComparer.Ordinal));
        var gguf = entries["model-Q4_K_M.gguf"];
        Assert.Equal("file", gguf.GetProperty("type").GetString());
        Assert.Equal(Weights.Length, gguf.GetProperty("size").GetInt64());
        Assert.Equal(Sha256Hex(Weights), gguf.GetProperty("lfs").GetProperty("oid").GetString());
        Assert.Equal(Weights.Length, gguf.GetProperty("lfs").GetProperty("size").GetInt64());
        Assert.Equal(131, gguf.GetProperty("lfs").GetProperty("pointerSize").GetInt32());
        var config = entries["config.json"];
        Assert.False(config.TryGetProperty("lfs", out _));
        Assert.Equal(GitBlobOid(Config), config.GetProperty("oid").GetString());
        Assert.Equal("directory", entries["sub"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Tree_of_a_subfolder_at_the_commit_sha_lists_only_that_folder()
    {
        await using var hub = await StartWithFilesAsync();
        hub.AddFile(Repo, "sub/a.gguf", [1]);
        hub.AddFile(Repo, "sub/deeper/b.gguf", [2]);
        using var http = new HttpClient();

        using var json = await GetJsonAsync(http, $"{hub.Endpoint}/api/models/{Repo}/tree/{hub.CommitSha(Repo)}/sub");

        var paths = json.RootElement.EnumerateArray().Select(e => e.GetProperty("path").GetString());
        Assert.Equal(["sub/a.gguf", "sub/deeper"], paths);
    }

    [Fact]
    public async Task Tree_pages_follow_link_header_until_all_entries_are_listed()
    {
        await using var hub = await FakeHub.StartAsync();
        for (var i = 0; i < 5; i++)
            hub.AddFile(Repo, $"part-{i}.gguf", [(byte)i]);
        hub.TreePageSize = 2;
        using var http = new HttpClient();

        var paths = new List<string>();
        var pages = 0;
        string? url = $"{hub.Endpoint}/api/models/{Repo}/tree/main?recursive=true";
        while (url is not null)
        {
            using var response = await http.GetAsync(url);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            paths.AddRange(json.RootElement.EnumerateArray().Select(e => e.GetProperty("path").GetString()!));
            pages++;
            url = NextLink(response);
            if (url is not null)
                Assert.StartsWith($"{hub.Endpoint}/api/models/{Repo}/tree/main?recursive=true&cursor=", url);
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"part-{i}.gguf"), paths);
    }

    [Fact]
    public async Task Resolve_redirects_lfs_files_to_blob_route_with_linked_etag()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var redirect = await http.GetAsync($"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf");

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(hub.CommitSha(Repo), Header(redirect, "X-Repo-Commit"));
        Assert.Equal($"\"{Sha256Hex(Weights)}\"", Header(redirect, "X-Linked-Etag"));
        Assert.Equal(Weights.Length.ToString(), Header(redirect, "X-Linked-Size"));
        var location = redirect.Headers.Location!;
        Assert.True(location.IsAbsoluteUri);
        Assert.StartsWith($"{hub.Endpoint}/cdn-lfs/", location.ToString());

        using var blob = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal($"\"{Sha256Hex(Weights)}\"", blob.Headers.ETag!.Tag);
        Assert.Equal("bytes", Header(blob, "Accept-Ranges"));
        var bytes = await blob.Content.ReadAsByteArrayAsync();
        Assert.Equal(Weights, bytes);
        Assert.Equal(Weights.Length, hub.BodyBytesServed(Repo, "model-Q4_K_M.gguf"));
    }

    [Fact]
    public async Task Resolve_serves_small_files_directly_with_git_blob_etag()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var response = await http.GetAsync($"{hub.Endpoint}/{Repo}/resolve/{hub.CommitSha(Repo)}/config.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{GitBlobOid(Config)}\"", response.Headers.ETag!.Tag);
        Assert.Equal(hub.CommitSha(Repo), Header(response, "X-Repo-Commit"));
        Assert.Equal(Config, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Resolve_answers_entry_not_found_revision_not_found_and_repo_not_found()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();

        using var noFile = await http.GetAsync($"{hub.Endpoint}/{Repo}/resolve/main/missing.gguf");
        using var noRevision = await http.GetAsync($"{hub.Endpoint}/{Repo}/resolve/v9/config.json");
        using var noRepo = await http.GetAsync($"{hub.Endpoint}/nobody/nothing/resolve/main/config.json");

        Assert.Equal((HttpStatusCode.NotFound, "EntryNotFound"), (noFile.StatusCode, Header(noFile, "X-Error-Code")));
        Assert.Equal((HttpStatusCode.NotFound, "RevisionNotFound"), (noRevision.StatusCode, Header(noRevision, "X-Error-Code")));
        Assert.Equal((HttpStatusCode.Unauthorized, "RepoNotFound"), (noRepo.StatusCode, Header(noRepo, "X-Error-Code")));
    }

    [Fact]
    public async Task Blob_range_returns_206_with_content_range()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf";

        using var middle = await GetRangeAsync(http, url, 1000, 1999);
        using var tail = await GetRangeAsync(http, url, 150_000, null);

        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal($"bytes 1000-1999/{Weights.Length}", middle.Content.Headers.ContentRange!.ToString());
        Assert.Equal(Weights[1000..2000], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 150000-{Weights.Length - 1}/{Weights.Length}", tail.Content.Headers.ContentRange!.ToString());
        Assert.Equal(Weights[150_000..], await tail.Content.ReadAsByteArrayAsync());
        Assert.Equal(1000 + 50_000, hub.BodyBytesServed(Repo, "model-Q4_K_M.gguf"));
        Assert.Contains(hub.Requests, r => r.Method == "GET" && r.Path.StartsWith("/cdn-lfs/") && r.Range == "bytes=1000-1999" && r.Status == 206);
    }

    [Fact]
    public async Task Blob_range_past_the_end_returns_416_with_size()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();

        using var response = await GetRangeAsync(http, $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf", Weights.Length, null);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{Weights.Length}", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Blob_if_range_with_another_etag_returns_the_whole_file()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf";

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.Range = new RangeHeaderValue(100, null);
        stale.Headers.IfRange = new RangeConditionHeaderValue("\"0000\"");
        using var staleResponse = await http.SendAsync(stale);
        using var fresh = new HttpRequestMessage(HttpMethod.Get, url);
        fresh.Headers.Range = new RangeHeaderValue(100, null);
        fresh.Headers.IfRange = new RangeConditionHeaderValue($"\"{Sha256Hex(Weights)}\"");
        using var freshResponse = await http.SendAsync(fresh);

        Assert.Equal(HttpStatusCode.OK, staleResponse.StatusCode);
        Assert.Equal(Weights, await staleResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, freshResponse.StatusCode);
        Assert.Equal(Weights[100..], await freshResponse.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_returns_headers_without_body_for_resolve_and_blob()
    {
        await using var hub = await StartWithFilesAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var resolve = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf"));
        using var blob = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, resolve.Headers.Location));

        Assert.Equal(HttpStatusCode.Found, resolve.StatusCode);
        Assert.Equal($"\"{Sha256Hex(Weights)}\"", Header(resolve, "X-Linked-Etag"));
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(Weights.Length, blob.Content.Headers.ContentLength);
        Assert.Empty(await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, hub.BodyBytesServed(Repo, "model-Q4_K_M.gguf"));
    }

    [Fact]
    public async Task Required_token_gates_hub_routes_but_not_the_presigned_blob_route()
    {
        await using var hub = await StartWithFilesAsync();
        hub.RequiredToken = "hf_secret";
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var info = $"{hub.Endpoint}/api/models/{Repo}";

        using var anonymous = await http.GetAsync(info);
        using var wrong = await SendWithTokenAsync(http, HttpMethod.Get, info, "hf_wrong");
        using var right = await SendWithTokenAsync(http, HttpMethod.Get, info, "hf_secret");
        using var resolve = await SendWithTokenAsync(http, HttpMethod.Get, $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf", "hf_secret");
        using var blob = await http.GetAsync(resolve.Headers.Location);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Found, resolve.StatusCode);
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Contains(hub.Requests, r => r.Authorization == "Bearer hf_secret" && r.Status == 200);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(70_000)]
    [InlineData(199_999)]
    public async Task Drop_connection_after_fails_the_client_read_after_exactly_that_many_bytes(int bytes)
    {
        await using var hub = await StartWithFilesAsync();
        hub.DropConnectionAfter(Repo, "model-Q4_K_M.gguf", bytes);
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf";

        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var failure = await Record.ExceptionAsync(() => body.CopyToAsync(received));
        var retry = await http.GetByteArrayAsync(url);

        Assert.IsAssignableFrom<IOException>(failure);
        Assert.Equal(Weights[..bytes], received.ToArray());
        Assert.Equal(Weights, retry);
    }

    [Fact]
    public async Task Corrupt_body_differs_from_advertised_sha256_but_keeps_size()
    {
        await using var hub = await StartWithFilesAsync();
        hub.ServeCorruptBody(Repo, "model-Q4_K_M.gguf", times: 1);
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf";

        var corrupt = await http.GetByteArrayAsync(url);
        var clean = await http.GetByteArrayAsync(url);

        Assert.Equal(Weights.Length, corrupt.Length);
        Assert.NotEqual(hub.Sha256(Repo, "model-Q4_K_M.gguf"), Sha256Hex(corrupt));
        Assert.Equal(hub.Sha256(Repo, "model-Q4_K_M.gguf"), Sha256Hex(clean));
    }

    [Fact]
    public async Task Fail_next_answers_the_status_then_serves_the_file()
    {
        await using var hub = await StartWithFilesAsync();
        hub.FailNext(Repo, "model-Q4_K_M.gguf", 503, times: 2);
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf";

        using var first = await http.GetAsync(url);
        using var second = await http.GetAsync(url);
        using var third = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(Weights, await third.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Throttle_paces_the_body()
    {
        await using var hub = await StartWithFilesAsync();
        hub.Throttle(Repo, "model-Q4_K_M.gguf", 400_000);
        using var http = new HttpClient();

        var clock = Stopwatch.StartNew();
        var bytes = await http.GetByteArrayAsync($"{hub.Endpoint}/{Repo}/resolve/main/model-Q4_K_M.gguf");

        Assert.Equal(Weights, bytes);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Dispose_ends_downloads_still_in_flight()
    {
        var hub = await FakeHub.StartAsync();
        hub.AddGeneratedFile(Repo, "slow.gguf", 10_000_000, seed: 1);
        hub.Throttle(Repo, "slow.gguf", 10_000);
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{hub.Endpoint}/{Repo}/resolve/main/slow.gguf", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[100]);

        var clock = Stopwatch.StartNew();
        await hub.DisposeAsync();
        var failure = await Record.ExceptionAsync(() => body.CopyToAsync(Stream.Null));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.IsAssignableFrom<IOException>(failure);
    }

    [Fact]
    public async Task Generated_file_is_deterministic_and_matches_its_advertised_sha256()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddGeneratedFile(Repo, "big.gguf", 3_000_001, seed: 42);
        hub.AddGeneratedFile("org/twin", "big.gguf", 3_000_001, seed: 42);
        hub.AddGeneratedFile("org/other", "big.gguf", 3_000_001, seed: 43);
        using var http = new HttpClient();
        var url = $"{hub.Endpoint}/{Repo}/resolve/main/big.gguf";

        var bytes = await http.GetByteArrayAsync(url);
        using var odd = await GetRangeAsync(http, url, 1_234_567, 1_300_000);
        using var tree = await GetJsonAsync(http, $"{hub.Endpoint}/api/models/{Repo}/tree/main");

        Assert.Equal(3_000_001, bytes.Length);
        var advertised = tree.RootElement[0].GetProperty("lfs").GetProperty("oid").GetString();
        Assert.Equal(advertised, Sha256Hex(bytes));
        Assert.Equal(bytes[1_234_567..1_300_001], await odd.Content.ReadAsByteArrayAsync());
        Assert.Equal(hub.Sha256(Repo, "big.gguf"), hub.Sha256("org/twin", "big.gguf"));
        Assert.NotEqual(hub.Sha256(Repo, "big.gguf"), hub.Sha256("org/other", "big.gguf"));
    }

    private static async Task<FakeHub> StartWithFilesAsync()
    {
        var hub = await FakeHub.StartAsync();
        hub.AddFile(Repo, "model-Q4_K_M.gguf", Weights);
        hub.AddFile(Repo, "config.json", Config);
        return hub;
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> GetRangeAsync(HttpClient http, string url, long from, long? to)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, to);
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> SendWithTokenAsync(HttpClient http, HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static string? NextLink(HttpResponseMessage response)
    {
        var link = Header(response, "Link");
        if (link is null || !link.EndsWith("rel=\"next\"", StringComparison.Ordinal))
            return null;
        return link[(link.IndexOf('<') + 1)..link.IndexOf('>')];
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string GitBlobOid(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));
}
