using System.ClientModel;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Images;
using SkiaSharp;

namespace Nexa.Tests.Server;

/// <summary>The official OpenAI .NET SDK's ImageClient, pointed at our server, works unchanged (bytes and URIs).</summary>
public sealed class OpenAiSdkImageTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = (await ServerHarness.StartAsync(o => o with { ApiKey = "x" })).WithImageModels();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ImageClient Client() =>
        new(ServerHarness.SeedImageModel, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });

    [Fact]
    public async Task Generate_an_image_as_bytes()
    {
        GeneratedImage image = await Client().GenerateImageAsync("A white cat with blue eyes",
            new ImageGenerationOptions { Size = GeneratedImageSize.W256xH256, ResponseFormat = GeneratedImageFormat.Bytes, EndUserId = "u" });

        using var bitmap = SKBitmap.Decode(image.ImageBytes.ToArray());
        Assert.Equal((256, 256), (bitmap.Width, bitmap.Height));
        Assert.Null(image.ImageUri);
    }

    [Fact]
    public async Task Generate_images_as_uris_that_download_without_the_key()
    {
        GeneratedImageCollection images = await Client().GenerateImagesAsync("A white cat with blue eyes", 2,
            new ImageGenerationOptions { Size = GeneratedImageSize.W512xH512, ResponseFormat = GeneratedImageFormat.Uri });

        Assert.Equal(2, images.Count);
        foreach (var image in images)
        {
            Assert.Equal(_server.Server.BaseAddress.Authority, image.ImageUri.Authority);
            using var plain = new HttpClient();
            using var bitmap = SKBitmap.Decode(await plain.GetByteArrayAsync(image.ImageUri));
            Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
        }
    }
}
