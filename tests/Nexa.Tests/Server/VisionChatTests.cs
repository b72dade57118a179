using System.Net;
using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// The seed's "Use VLM" request with every form of <c>image_url.url</c>: each reaches the engine as a PNG of the
/// expected (downscaled) size, at its place in the message's text.
/// </summary>
public sealed class VisionChatTests : IAsyncLifetime
{
    private ServerHarness _server = null!;
    private ImageHost _images = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync()
    {
        _server = await ServerHarness.StartAsync();
        _images = await ImageHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _images.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The seed's body: a text part, then an image part.</summary>
    public static string SeedBody(string url, string model = ServerHarness.Vision, string extra = "") =>
        $$$"""
        {"model":"{{{model}}}","messages":[{"role":"user","content":[{"type":"text","text":"what is main color of the picture"},
         {"type":"image_url","image_url":{"url":{{{JsonSerializer.Serialize(url)}}}}}]}],"stream":false{{{extra}}}}
        """;

    private IReadOnlyList<ChatImage> ImagesSeen(int request = 0, int message = 0) =>
        _server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests[request].Messages[message].Images;

    private async Task<ChatImage> AskAsync(string url, string extra = "")
    {
        using var response = await _server.PostChatAsync(SeedBody(url, extra: extra));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var answer = await Wire.JsonAsync(response);
        Assert.StartsWith("You said: what is main color", answer.GetProperty("choices")[0].GetProperty("message").Str("content"));
        var image = Assert.Single(ImagesSeen());
        Assert.True(TestImages.IsPng(image.Data));
        Assert.Equal("what is main color of the picture".Length, image.Position);
        return image;
    }

    [Theory]
    [InlineData("/red.png")]
    [InlineData("/photo.jpg")]
    [InlineData("/pic.webp")]
    [InlineData("/anim.gif")]
    [InlineData("/pic.bmp")]
    [InlineData("/untyped")]
    [InlineData("/redirect/4")]
    public async Task A_remote_url_reaches_the_engine_as_a_png(string path)
    {
        var image = await AskAsync(_images.Url(path));

        var (width, height, centre) = TestImages.Read(image.Data);
        Assert.Equal((64, 48), (width, height));
        Assert.InRange(centre.Red, 240, 255);
        Assert.InRange(centre.Blue, 0, 15); // a GIF gives its first (red) frame, not the blue one
    }

    [Fact]
    public async Task A_large_remote_image_is_shrunk_to_512_on_its_longer_side()
    {
        var image = await AskAsync(_images.Url("/big.jpg"));

        var (width, height, _) = TestImages.Read(image.Data);
        Assert.Equal((512, 256), (width, height));
    }

    [Fact]
    public async Task Image_max_length_sets_the_limit()
    {
        var image = await AskAsync(_images.Url("/big.jpg"), extra: ",\"image_max_length\":100");

        var (width, height, _) = TestImages.Read(image.Data);
        Assert.Equal((100, 50), (width, height));
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("application/octet-stream")]
    public async Task A_base64_data_uri_reaches_the_engine(string mediaType)
    {
        var image = await AskAsync($"data:{mediaType};base64,{Convert.ToBase64String(TestImages.Png(30, 20))}");

        Assert.Equal((30, 20), (TestImages.Read(image.Data).Width, TestImages.Read(image.Data).Height));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("file-url")]
    [InlineData("file-localhost-url")]
    public async Task A_local_file_reaches_the_engine_from_a_loopback_server(string form)
    {
        var path = Path.Combine(_dir.Path, "my pictures", "cat.webp");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, TestImages.Webp(800, 600));
        var url = form switch
        {
            "plain" => path,
            "file-url" => new Uri(path).AbsoluteUri, // file:///tmp/…/my%20pictures/cat.webp
            _ => "file://localhost" + path,
        };

        var image = await AskAsync(url);

        Assert.Equal((512, 384), (TestImages.Read(image.Data).Width, TestImages.Read(image.Data).Height));
    }

    [Fact]
    public async Task Two_images_in_one_message_keep_their_order_and_places()
    {
        var body = $$$"""
            {"model":"{{{ServerHarness.Vision}}}","messages":[{"role":"user","content":[
              {"type":"image_url","image_url":{"url":"{{{_images.Url("/big.jpg")}}}"}},
              {"type":"text","text":"compare"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Convert.ToBase64String(TestImages.Png(10, 40))}}}"}},
              {"type":"text","text":"and tell"}]}]}
            """;
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = _server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages.Single();
        Assert.Equal("compare\nand tell", message.Content);
        Assert.Equal([0, "compare".Length], message.Images.Select(i => i.Position));
        Assert.Equal((512, 256), (TestImages.Read(message.Images[0].Data).Width, TestImages.Read(message.Images[0].Data).Height));
        Assert.Equal((10, 40), (TestImages.Read(message.Images[1].Data).Width, TestImages.Read(message.Images[1].Data).Height));
    }

    [Fact]
    public async Task Images_in_earlier_turns_stay_with_their_messages()
    {
        var png = Convert.ToBase64String(TestImages.Png(8, 8));
        var body = $$$"""
            {"model":"{{{ServerHarness.Vision}}}","messages":[
              {"role":"system","content":"be brief"},
              {"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{png}}}"}}]},
              {"role":"assistant","content":"a red square"},
              {"role":"user","content":"and its size?"}]}
            """;
        using var response = await _server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = _server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages;
        Assert.Equal([0, 1, 0, 0], messages.Select(m => m.Images.Count));
        Assert.Equal("what is this".Length, messages[1].Images[0].Position);
    }

    [Fact]
    public async Task Streaming_with_an_image_sends_chunks_then_done()
    {
        using var response = await _server.SendChatAsync(SeedBody(_images.Url("/red.png")).Replace("\"stream\":false", "\"stream\":true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Wire.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        Assert.True(events.Count > 3);
        Assert.Single(ImagesSeen());
    }

    [Fact]
    public async Task Text_only_requests_to_a_vision_model_carry_no_images()
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(ServerHarness.Vision));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(ImagesSeen());
    }
}
