using System.Net;
using System.Text.Json;
using Nexa.Runner.Client;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Integration;
using SkiaSharp;

namespace Nexa.Tests.Runner;

/// <summary>
/// The whole path but the ONNX engine: `nexa pull` of the pipeline from the fake hub, the real server, a real runner
/// child process (tests/Nexa.FakeRunner) started on its model_index.json, the seed's request, the URL, the PNG.
/// </summary>
public sealed class ImagesThroughFakeRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private PulledImageServer _images = null!;

    public async Task InitializeAsync() =>
        _images = await PulledImageServer.StartAsync((hub, _) => hub.AddImagePipeline(PulledImageServer.Model),
            new RunnerLauncher(new RunnerLauncherOptions { RunnerCommandLine = FakeRunnerCommand.Line, LoadTimeout = Bound }), Bound);

    public async Task DisposeAsync() => await _images.DisposeAsync();

    private HttpClient Http => _images.Http;

    private Task<HttpResponseMessage> PostAsync(string json, CancellationToken ct = default) => _images.PostAsync(json, ct);

    [Fact]
    public async Task The_seed_request_answers_a_url_to_a_png_made_in_the_runner()
    {
        using var response = await PostAsync("""
            {"model": "stabilityai/sdxl-turbo", "prompt": "A white cat with blue eyes", "n": 1, "size": "512x512", "response_format": "url"}
            """);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var url = JsonDocument.Parse(text).RootElement.GetProperty("data")[0].GetProperty("url").GetString()!;
        using var bitmap = SKBitmap.Decode(await Http.GetByteArrayAsync(url));
        Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public async Task A_client_that_leaves_mid_generation_frees_the_runner_for_the_next_request()
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PostAsync("""{"model": "stabilityai/sdxl-turbo", "prompt": "__slow__", "size": "64x64"}""", giveUp.Token));

        // One slot and no queue: this answers 503 unless the abandoned generation gave its slot back.
        HttpStatusCode status = 0;
        for (var attempt = 0; attempt < 50 && status != HttpStatusCode.OK; attempt++)
        {
            using var next = await PostAsync("""{"model": "stabilityai/sdxl-turbo", "prompt": "a dog", "size": "64x64", "response_format": "b64_json"}""");
            status = next.StatusCode;
            if (status != HttpStatusCode.OK)
                await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
