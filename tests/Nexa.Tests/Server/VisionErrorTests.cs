using System.Net;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// Every way an image can fail answers 400 (403 for the policy, see <see cref="VisionPolicyTests"/>) in OpenAI's shape
/// with the param naming the message and part, before any model is loaded; the server keeps serving afterwards.
/// </summary>
public sealed class VisionErrorTests : IAsyncLifetime
{
    private const string Param = "messages[0].content[1].image_url.url";
    private ServerHarness _server = null!;
    private ImageHost _images = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync()
    {
        _server = await ServerHarness.StartAsync(o => o with { ImageFetchTimeout = TimeSpan.FromSeconds(4) });
        _images = await ImageHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _images.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<System.Text.Json.JsonElement> FailsAsync(string url, string code, HttpStatusCode status = HttpStatusCode.BadRequest, string extra = "")
    {
        using var response = await _server.PostChatAsync(VisionChatTests.SeedBody(url, extra: extra));
        var error = await Wire.ErrorAsync(response, status);
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Equal(code, error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches); // refused before the model is leased (or loaded)
        // …and the server still answers.
        using var after = await _server.PostChatAsync(ServerHarness.ChatBody());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        return error;
    }

    [Theory]
    [InlineData("/missing.png", "image_fetch_failed", "HTTP 404")]
    [InlineData("/redirect/5", "image_fetch_failed", "too many redirects")]
    [InlineData("/slow.png", "image_fetch_failed", "timed out")]
    [InlineData("/page.html", "invalid_image", "Content-Type text/html")]
    [InlineData("/lying.png", "invalid_image", "not an image")]
    [InlineData("/huge.png", "image_too_large", "too large")]
    public async Task A_remote_url_that_gives_no_usable_image_is_400_naming_the_part(string path, string code, string says)
    {
        var error = await FailsAsync(_images.Url(path), code);

        Assert.Equal(Param, error.Str("param"));
        Assert.Contains(says, error.Str("message"));
        Assert.Contains(Param, error.Str("message"));
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_400()
    {
        var error = await FailsAsync("http://no-such-host.invalid/cat.png", "image_fetch_failed");

        Assert.Contains("does not resolve", error.Str("message"));
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_400()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await FailsAsync($"http://127.0.0.1:{port}/cat.png", "image_fetch_failed");

        Assert.Contains("refused", error.Str("message"));
    }

    [Theory]
    [InlineData("data:image/png;base64,!!!not base64!!!", "invalid_image_url", "base64")]
    [InlineData("data:image/png,rawbytes", "invalid_image_url", "base64")]
    [InlineData("data:text/plain;base64,aGVsbG8=", "invalid_image_url", "text/plain")]
    [InlineData("data:image/png;base64,aGVsbG8gd29ybGQ=", "invalid_image", "not an image")]
    [InlineData("data:image/tiff;base64,SUkqAAgAAAAAAA==", "unsupported_image_format", "TIFF")]
    [InlineData("ftp://example.com/cat.png", "invalid_image_url", "scheme 'ftp:'")]
    public async Task A_bad_data_uri_or_scheme_is_400(string url, string code, string says)
    {
        var error = await FailsAsync(url, code);

        Assert.Equal(Param, error.Str("param"));
        Assert.Contains(says, error.Str("message"));
    }

    [Theory]
    [InlineData("/no/such/picture.png")]
    [InlineData("C:/Users/Username/Pictures/photo.jpg")]
    [InlineData(@"C:\Users\Username\Pictures\photo.jpg")]
    [InlineData("file:///C:/Users/Username/Pictures/photo.jpg")]
    [InlineData("file:///Users/Username/Pictures/photo.jpg")]
    public async Task A_missing_file_is_400_file_not_found(string url)
    {
        var error = await FailsAsync(url, "image_not_found");

        Assert.Contains("file not found", error.Str("message"));
        Assert.Equal(Param, error.Str("param"));
    }

    [Fact]
    public async Task A_local_file_that_is_not_an_image_is_400()
    {
        var path = _dir["notes.txt"];
        await File.WriteAllTextAsync(path, "shopping list");

        await FailsAsync(path, "invalid_image");
    }

    [Fact]
    public async Task An_image_with_too_many_pixels_is_400()
    {
        // A 9000×8000 PNG of one colour compresses to a few hundred KB: its header alone is refused (72 MP > 64 MP).
        var png = TestImages.Png(9000, 8000);

        var error = await FailsAsync("data:image/png;base64," + Convert.ToBase64String(png), "image_too_large");

        Assert.Contains("9000×8000", error.Str("message"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    [InlineData(-5)]
    public async Task Image_max_length_out_of_range_is_400(int value)
    {
        var error = await FailsAsync(_images.Url("/red.png"), "invalid_value", extra: $",\"image_max_length\":{value}");

        Assert.Equal("image_max_length", error.Str("param"));
    }

    [Fact]
    public async Task The_part_index_names_the_failing_image_among_several()
    {
        var good = "data:image/png;base64," + Convert.ToBase64String(TestImages.Png(4, 4));
        var body = $$$"""
            {"model":"{{{ServerHarness.Vision}}}","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},
              {"role":"user","content":[{"type":"image_url","image_url":{"url":"{{{good}}}"}},{"type":"text","text":"and"},
                {"type":"image_url","image_url":{"url":"{{{_images.Url("/page.html")}}}"}}]}]}
            """;
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("messages[2].content[2].image_url.url", error.Str("param"));
    }

    [Fact]
    public async Task An_image_for_a_text_only_model_is_400_model_not_supported_without_fetching()
    {
        var hits = _images.Hits;
        using var response = await _server.PostChatAsync(VisionChatTests.SeedBody(_images.Url("/red.png"), ServerHarness.ChatModel));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal(Param, error.Str("param"));
        Assert.Contains("cannot see images", error.Str("message"));
        Assert.Equal(hits, _images.Hits);
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task An_image_part_without_a_url_is_400()
    {
        var body = """{"model":"test/vision","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""";
        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("messages[0].content[0].image_url.url", error.Str("param"));
    }
}
