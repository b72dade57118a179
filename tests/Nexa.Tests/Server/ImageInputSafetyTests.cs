using System.Net;
using Nexa.Engine.Vision;
using Nexa.Server;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// Image parts that would cost the server more than their bytes: paths with NUL, device files that never end, named
/// pipes that block whoever opens them, folders, too many images or bytes in one request. Each is a 400 at once,
/// before a model is loaded; and the server never decodes an image itself (the runner does).
/// </summary>
public sealed class ImageInputSafetyTests : IAsyncLifetime
{
    private const string Param = "messages[0].content[1].image_url.url";
    private ServerHarness _server = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<System.Text.Json.JsonElement> FailsAsync(string url, string code)
    {
        using var response = await _server.PostChatAsync(VisionChatTests.SeedBody(url));
        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(code, error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
        return error;
    }

    [Theory]
    [InlineData("/etc/\0shadow")]
    [InlineData("file:///etc/%00shadow")]
    [InlineData("file:///etc/shadow%00.png")]
    public async Task A_path_with_a_nul_character_is_400(string url)
    {
        var error = await FailsAsync(url, "invalid_image_url");

        Assert.Equal(Param, error.Str("param"));
        Assert.Contains("NUL", error.Str("message"));
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("file:///dev/zero")]
    [InlineData("/dev/stdin")]
    [InlineData("/proc/self/environ")]
    public async Task A_device_or_kernel_file_is_400_without_reading_it(string path)
    {
        if (!File.Exists(path.Replace("file://", "")))
            return; // not on this system

        var error = await FailsAsync(path, "invalid_image");

        Assert.Contains("not a regular file", error.Str("message"));
    }

    [Fact]
    public async Task A_link_to_a_device_is_400()
    {
        var link = _dir["zero.png"];
        File.CreateSymbolicLink(link, "/dev/zero");

        await FailsAsync(link, "invalid_image");
    }

    [Fact]
    public async Task A_named_pipe_is_400_and_no_thread_waits_on_it()
    {
        if (OperatingSystem.IsWindows())
            return;
        var fifo = _dir["pipe.png"];
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();
        Assert.True(File.Exists(fifo));

        await FailsAsync(fifo, "invalid_image");
        await FailsAsync("file://" + fifo, "invalid_image");
    }

    [Fact]
    public async Task A_folder_is_400_image_not_found()
    {
        var error = await FailsAsync(_dir.Path, "image_not_found");

        Assert.Contains("folder", error.Str("message"));
    }

    [Fact]
    public async Task More_images_than_one_request_may_carry_is_400()
    {
        var image = $$$"""{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Convert.ToBase64String(TestImages.Png(2, 2))}}}"}}""";
        var parts = string.Join(",", Enumerable.Repeat(image, ImageLimits.MaxImagesPerRequest + 1));
        var body = $$$"""{"model":"test/vision","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{{{parts}}}]}]}""";

        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("messages", error.Str("param"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task Images_over_the_request_byte_budget_are_400_image_too_large()
    {
        // Sparse files: each within the per-image cap, together over the per-request one.
        var count = ImageLimits.MaxBytesPerRequest / ImageLimits.MaxBytes + 1;
        var paths = Enumerable.Range(0, count).Select(i => _dir[$"big{i}.png"]).ToList();
        foreach (var path in paths)
        {
            using var file = File.Create(path);
            file.Write(TestImages.Png(4, 4));
            file.SetLength(ImageLimits.MaxBytes);
        }
        var parts = string.Join(",", paths.Select(p => $$$"""{"type":"image_url","image_url":{"url":"{{{p}}}"}}"""));
        var body = $$$"""{"model":"test/vision","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{{{parts}}}]}]}""";

        using var response = await _server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("image_too_large", error.Str("code"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Fact]
    public async Task A_corrupt_body_behind_a_good_header_is_the_same_400_from_the_engine()
    {
        // The server reads only the header; the runner's decoder finds the pixels missing.
        var png = TestImages.Png(64, 64);
        var corrupt = png[..40].Concat(new byte[200]).ToArray();

        using var response = await _server.PostChatAsync(VisionChatTests.SeedBody("data:image/png;base64," + Convert.ToBase64String(corrupt)));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_image", error.Str("code"));
        Assert.Equal(Param, error.Str("param"));
        Assert.Contains(Param, error.Str("message"));
    }

    [Fact]
    public async Task The_engine_receives_the_bytes_as_sent_with_the_part_and_the_limit()
    {
        var jpeg = TestImages.Jpeg(1000, 500);
        var model = _server.Launcher;

        using var response = await _server.PostChatAsync(VisionChatTests.SeedBody("data:image/jpeg;base64," + Convert.ToBase64String(jpeg), extra: ",\"image_max_length\":100"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var image = Assert.Single(model.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages.Single().Images);
        Assert.Equal(Param, image.Param);
        Assert.Equal(100, image.MaxLength);
        Assert.Equal((100, 50), (TestImages.Read(image.Data).Width, TestImages.Read(image.Data).Height));
    }

    [Fact]
    public void The_server_decodes_no_image_itself()
    {
        var references = typeof(NexaServer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain("SkiaSharp", references);
        Assert.DoesNotContain("Nexa.Engine", references);
    }
}
