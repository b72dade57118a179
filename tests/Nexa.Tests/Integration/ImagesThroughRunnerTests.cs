using System.Net;
using System.Text.Json;
using Nexa.Runner.Client;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Integration;

/// <summary>
/// The whole image path with the real engine: `nexa pull` of a tiny SDXL-Turbo-shaped ONNX pipeline from the fake
/// hub, the real server, a real runner running it on ONNX Runtime, the seed's request, the URL, the PNG.
/// </summary>
public sealed class ImagesThroughRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private PulledImageServer _images = null!;

    public async Task InitializeAsync() =>
        _images = await PulledImageServer.StartAsync((hub, scratch) => hub.AddTinyOnnxPipeline(PulledImageServer.Model, scratch), new RunnerLauncher(), Bound, threads: 1);

    public async Task DisposeAsync() => await _images.DisposeAsync();

    private HttpClient Http => _images.Http;

    private async Task<JsonElement> GenerateAsync(string json, CancellationToken ct = default)
    {
        using var response = await _images.PostAsync(json, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static byte[] Base64Image(JsonElement reply, int index) => Convert.FromBase64String(reply.GetProperty("data")[index].GetProperty("b64_json").GetString()!);

    [Fact]
    public async Task The_seed_request_answers_a_url_to_a_png_of_the_requested_size()
    {
        var reply = await GenerateAsync("""
            {"model": "stabilityai/sdxl-turbo", "prompt": "A white cat with blue eyes", "n": 1, "size": "512x512", "response_format": "url"}
            """);

        var url = reply.GetProperty("data")[0].GetProperty("url").GetString()!;
        Assert.StartsWith(_images.Server.BaseAddress.ToString(), url);
        using var bitmap = SKBitmap.Decode(await Http.GetByteArrayAsync(url));
        Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_bytes_and_another_seed_another_picture()
    {
        const string body = """{"model": "stabilityai/sdxl-turbo", "prompt": "a red fox", "size": "256x128", "response_format": "b64_json", "seed": SEED}""";

        var first = Base64Image(await GenerateAsync(body.Replace("SEED", "7", StringComparison.Ordinal)), 0);
        var again = Base64Image(await GenerateAsync(body.Replace("SEED", "7", StringComparison.Ordinal)), 0);
        var other = Base64Image(await GenerateAsync(body.Replace("SEED", "8", StringComparison.Ordinal)), 0);

        using var bitmap = SKBitmap.Decode(first);
        Assert.Equal((256, 128), (bitmap.Width, bitmap.Height));
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Two_images_are_two_different_pngs()
    {
        var reply = await GenerateAsync("""{"model": "stabilityai/sdxl-turbo", "prompt": "two cats", "n": 2, "size": "128x128", "response_format": "b64_json", "seed": 3}""");

        Assert.Equal(2, reply.GetProperty("data").GetArrayLength());
        Assert.NotEqual(Base64Image(reply, 0), Base64Image(reply, 1));
    }

    [Fact]
    public async Task A_client_that_leaves_mid_generation_frees_the_pipeline_for_the_next_request()
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GenerateAsync(
            """{"model": "stabilityai/sdxl-turbo", "prompt": "a long one", "n": 4, "steps": 100, "size": "1024x1024", "response_format": "b64_json"}""",
            giveUp.Token));

        // Uncancelled, that generation would run for tens of seconds (4 images × 100 steps at 1024², then decoding).
        // One slot and no queue: this answers 503 while the abandoned generation still holds the model.
        HttpStatusCode status = 0;
        for (var attempt = 0; attempt < 100 && status != HttpStatusCode.OK; attempt++)
        {
            using var next = await _images.PostAsync("""{"model": "stabilityai/sdxl-turbo", "prompt": "a dog", "size": "64x64", "response_format": "b64_json"}""");
            status = next.StatusCode;
            if (status != HttpStatusCode.OK)
                await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
