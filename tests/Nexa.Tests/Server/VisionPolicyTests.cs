using System.Net;
using Nexa.Server;
using Nexa.Server.Vision;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// What an image URL may reach. On loopback (the default) everything is read (see <see cref="VisionChatTests"/>); a
/// server bound to every interface reads no local files and fetches from no loopback or private address (403),
/// unless --allow-local-files or --allow-private-urls says so.
/// </summary>
public sealed class VisionPolicyTests : IAsyncLifetime
{
    private ImageHost _images = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync() => _images = await ImageHost.StartAsync();

    public async Task DisposeAsync()
    {
        await _images.DisposeAsync();
        _dir.Dispose();
    }

    private static Task<ServerHarness> OnTheNetworkAsync(Func<ServerOptions, ServerOptions>? more = null) =>
        ServerHarness.StartAsync(o => (more ?? (x => x))(o with { Host = "0.0.0.0:0" }));

    private async Task<string> LocalPngAsync()
    {
        var path = _dir["red.png"];
        await File.WriteAllBytesAsync(path, TestImages.Png(20, 10));
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_network_server_refuses_local_files_with_403_naming_the_flag(bool fileUrl)
    {
        await using var server = await OnTheNetworkAsync();
        var path = await LocalPngAsync();

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody(fileUrl ? new Uri(path).AbsoluteUri : path));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("local_files_forbidden", error.Str("code"));
        Assert.Equal("messages[0].content[1].image_url.url", error.Str("param"));
        Assert.Contains("--allow-local-files", error.Str("message"));
        Assert.Equal(0, server.Launcher.Launches);
    }

    [Fact]
    public async Task A_network_server_refuses_even_a_missing_windows_path_without_telling_whether_it_exists()
    {
        await using var server = await OnTheNetworkAsync();

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody(@"C:\Users\Username\Pictures\photo.jpg"));

        Assert.Equal("local_files_forbidden", (await Wire.ErrorAsync(response, HttpStatusCode.Forbidden)).Str("code"));
    }

    [Fact]
    public async Task Allow_local_files_lets_a_network_server_read_them()
    {
        await using var server = await OnTheNetworkAsync(o => o with { AllowLocalFiles = true });
        var path = await LocalPngAsync();

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody(path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var image = server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages[0].Images.Single();
        Assert.Equal(20, TestImages.Read(image.Data).Width);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task A_network_server_refuses_urls_that_reach_loopback_with_403_naming_the_flag(string host)
    {
        await using var server = await OnTheNetworkAsync();
        var hits = _images.Hits;
        var url = $"http://{host}:{_images.BaseAddress.Port}/red.png";

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody(url));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("private_url_forbidden", error.Str("code"));
        Assert.Equal("messages[0].content[1].image_url.url", error.Str("param"));
        Assert.Contains("--allow-private-urls", error.Str("message"));
        Assert.Equal(hits, _images.Hits); // not even connected
    }

    [Fact]
    public async Task Allow_private_urls_lets_a_network_server_fetch_them()
    {
        await using var server = await OnTheNetworkAsync(o => o with { AllowPrivateUrls = true });

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody(_images.Url("/redirect/1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages[0].Images);
    }

    [Fact]
    public async Task A_network_server_takes_data_uris()
    {
        await using var server = await OnTheNetworkAsync();

        using var response = await server.PostChatAsync(VisionChatTests.SeedBody("data:image/png;base64," + Convert.ToBase64String(TestImages.Png(5, 5))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("2002:c0a8:0101::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("93.184.215.14", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("2606:4700:4700::1111", false)]
    public void Private_addresses_are_told_from_public_ones(string address, bool isPrivate)
    {
        Assert.Equal(isPrivate, AddressPolicy.IsPrivate(IPAddress.Parse(address)));
    }
}
