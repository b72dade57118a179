using System.Net;
using System.Text.Json;
using Nexa.Hub.Store;
using Nexa.Tests.Server.Fakes;
using SkiaSharp;

namespace Nexa.Tests.Server;

/// <summary><c>POST /v1/images/generations</c> with the fake engine: URLs to PNGs, base64, n, seeds, warm-up, disconnects.</summary>
public sealed class ImageGenerationTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = (await ServerHarness.StartAsync()).WithImageModels();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Body(string model = ServerHarness.ImageModel, string prompt = "A white cat with blue eyes", string extra = "") =>
        $$"""{"model":"{{model}}","prompt":"{{prompt}}"{{(extra.Length > 0 ? "," + extra : "")}}}""";

    private async Task<JsonElement> GenerateAsync(string body)
    {
        using var response = await _server.PostAsync("/v1/images/generations", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static (int Width, int Height) SizeOf(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        using var bitmap = SKBitmap.Decode(png) ?? throw new Xunit.Sdk.XunitException("not a decodable PNG");
        return (bitmap.Width, bitmap.Height);
    }

    [Fact]
    public async Task An_image_model_has_one_slot_whatever_parallel_says()
    {
        await GenerateAsync(Body(extra: "\"size\":\"64x64\""));

        var health = JsonDocument.Parse(await _server.Http.GetStringAsync("/health")).RootElement;
        var model = health.GetProperty("loaded").EnumerateArray().Single(m => m.GetProperty("type").GetString() == "image_gen");
        Assert.Equal(1, model.GetProperty("slots").GetInt32());
    }

    [Fact]
    public async Task The_seed_request_answers_a_url_that_downloads_a_png_of_the_asked_size()
    {
        // The original's documented request, as written.
        var answer = await GenerateAsync("""
            {"model": "stabilityai/sdxl-turbo", "prompt": "A white cat with blue eyes", "n": 1, "size": "512x512", "response_format": "url"}
            """);

        Assert.InRange(answer.GetProperty("created").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        var item = Assert.Single(answer.GetProperty("data").EnumerateArray().ToList());
        Assert.False(item.TryGetProperty("b64_json", out _));
        var url = new Uri(item.GetProperty("url").GetString()!);
        Assert.True(url.IsAbsoluteUri);
        Assert.Equal(_server.Server.BaseAddress.Authority, url.Authority);
        Assert.StartsWith("/v1/images/files/", url.AbsolutePath, StringComparison.Ordinal);

        using var download = await _server.NewClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal((512, 512), SizeOf(await download.Content.ReadAsByteArrayAsync()));
        var request = Assert.Single(Assert.Single(_server.Launcher.ModelsOf(ServerHarness.SeedImageModel)).ImageRequests);
        Assert.Equal(("A white cat with blue eyes", 1, 512, 512), (request.Prompt, request.Count, request.Width, request.Height));
        Assert.EndsWith("model_index.json", _server.Launcher.ModelsOf(ServerHarness.SeedImageModel)[0].Start.ModelPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_url_names_the_host_the_client_used()
    {
        using var client = _server.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
        {
            Content = new StringContent(Body(extra: "\"size\":\"64x64\""), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "images.example:8443";

        using var response = await client.SendAsync(request);

        var url = (await Wire.JsonAsync(response)).GetProperty("data")[0].GetProperty("url").GetString()!;
        Assert.StartsWith("http://images.example:8443/v1/images/files/", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task B64_json_is_plain_base64_of_a_png()
    {
        var answer = await GenerateAsync(Body(extra: "\"size\":\"256x128\",\"response_format\":\"b64_json\""));

        var item = Assert.Single(answer.GetProperty("data").EnumerateArray().ToList());
        Assert.False(item.TryGetProperty("url", out _));
        var b64 = item.GetProperty("b64_json").GetString()!;
        Assert.False(b64.StartsWith("data:", StringComparison.Ordinal));
        Assert.Equal((256, 128), SizeOf(Convert.FromBase64String(b64)));
    }

    [Fact]
    public async Task N_2_gives_two_different_images_and_each_setting_reaches_the_engine()
    {
        var answer = await GenerateAsync(Body(extra: """
            "n":2,"size":"128x64","response_format":"b64_json","seed":5,"steps":3,"guidance_scale":4.5,"negative_prompt":"blurry","quality":"hd","style":"vivid","user":"u1"
            """));

        var images = answer.GetProperty("data").EnumerateArray().Select(i => Convert.FromBase64String(i.GetProperty("b64_json").GetString()!)).ToList();
        Assert.Equal(2, images.Count);
        Assert.All(images, png => Assert.Equal((128, 64), SizeOf(png)));
        Assert.NotEqual(images[0], images[1]);
        var request = Assert.Single(Assert.Single(_server.Launcher.ModelsOf(ServerHarness.ImageModel)).ImageRequests);
        Assert.Equal((2, 128, 64, 5UL, 3, 4.5f, "blurry"), (request.Count, request.Width, request.Height, request.Seed, request.Steps, request.GuidanceScale, request.NegativePrompt));
    }

    [Fact]
    public async Task The_same_seed_gives_identical_bytes_and_another_seed_different_ones()
    {
        async Task<byte[]> PngAsync(int seed) => Convert.FromBase64String((await GenerateAsync(Body(extra: $"\"size\":\"64x64\",\"response_format\":\"b64_json\",\"seed\":{seed}")))
            .GetProperty("data")[0].GetProperty("b64_json").GetString()!);

        var first = await PngAsync(11);
        var again = await PngAsync(11);
        var other = await PngAsync(12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Without_a_size_the_model_default_square_is_used()
    {
        await GenerateAsync(Body());

        var request = Assert.Single(Assert.Single(_server.Launcher.ModelsOf(ServerHarness.ImageModel)).ImageRequests);
        Assert.Equal((512, 512), (request.Width, request.Height));
    }

    [Fact]
    public async Task An_empty_prompt_loads_the_model_and_answers_null_as_the_original()
    {
        using var response = await _server.PostAsync("/v1/images/generations", Body(prompt: ""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        var model = Assert.Single(_server.Launcher.ModelsOf(ServerHarness.ImageModel));
        Assert.Empty(model.ImageRequests);
        Assert.Contains(ServerHarness.ImageModel, (await Wire.JsonAsync(await _server.Http.GetAsync("/health"))).GetProperty("models").EnumerateArray().Select(m => m.GetString()!).First());
    }

    [Fact]
    public async Task A_client_that_leaves_mid_generation_cancels_it_and_frees_the_slot()
    {
        await using var server = (await ServerHarness.StartAsync(o => o with { Parallel = 1, QueueSize = 0 })).WithImageModels();
        server.Launcher.TokenDelay = TimeSpan.FromMilliseconds(50);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            server.PostAsync("/v1/images/generations", Body(extra: "\"size\":\"64x64\",\"steps\":100"), giveUp.Token));

        var model = Assert.Single(server.Launcher.ModelsOf(ServerHarness.ImageModel));
        await Wire.EventuallyAsync(() => model.CancelledGenerations == 1 && model.ActiveImageGenerations == 0, "the image generation is cancelled");
        server.Launcher.TokenDelay = TimeSpan.Zero;
        using var next = await server.PostAsync("/v1/images/generations", Body(extra: "\"size\":\"64x64\",\"response_format\":\"b64_json\""));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Image_urls_expire_after_the_ttl()
    {
        var clock = new ManualTimeProvider();
        await using var server = (await ServerHarness.StartAsync(o => o with { ImageTtlSeconds = 60 }, clock)).WithImageModels();
        using var response = await server.PostAsync("/v1/images/generations", Body(extra: "\"size\":\"64x64\""));
        var url = (await Wire.JsonAsync(response)).GetProperty("data")[0].GetProperty("url").GetString()!;
        var file = Path.Combine(server.Store.DataDir, "images", url[(url.LastIndexOf('/') + 1)..]);
        Assert.True(File.Exists(file));

        clock.Advance(TimeSpan.FromSeconds(59));
        using (var fresh = await server.Http.GetAsync(url))
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        clock.Advance(TimeSpan.FromSeconds(2));
        using (var expired = await server.Http.GetAsync(url))
            Assert.Equal("image_not_found", (await Wire.ErrorAsync(expired, HttpStatusCode.NotFound)).Str("code"));
        await Wire.EventuallyAsync(() => !File.Exists(file), "the expired file is deleted");
        using (var unknown = await server.Http.GetAsync("/v1/images/files/" + new string('0', 32) + ".png"))
            await Wire.ErrorAsync(unknown, HttpStatusCode.NotFound);
        using (var traversal = await server.Http.GetAsync("/v1/images/files/..%2Fmodels.png"))
            await Wire.ErrorAsync(traversal, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task With_an_api_key_generation_needs_it_but_the_image_url_is_its_own_permission()
    {
        await using var server = (await ServerHarness.StartAsync(o => o with { ApiKey = "secret" })).WithImageModels();
        using (var refused = await server.PostAsync("/v1/images/generations", Body(extra: "\"size\":\"64x64\"")))
            await Wire.ErrorAsync(refused, HttpStatusCode.Unauthorized);

        using var authorized = server.NewClient("secret");
        using var response = await authorized.PostAsync("/v1/images/generations",
            new StringContent(Body(extra: "\"size\":\"64x64\""), System.Text.Encoding.UTF8, "application/json"));
        var url = (await Wire.JsonAsync(response)).GetProperty("data")[0].GetProperty("url").GetString()!;

        using var anonymous = await server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal((64, 64), SizeOf(await anonymous.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task An_image_model_cannot_chat_or_embed()
    {
        using var chat = await _server.PostChatAsync(ServerHarness.ChatBody(model: ServerHarness.ImageModel));
        using var embed = await _server.PostAsync("/v1/embeddings", $$"""{"model":"{{ServerHarness.ImageModel}}","input":"hi"}""");

        Assert.Equal("model", (await Wire.ErrorAsync(chat, HttpStatusCode.BadRequest)).Str("param"));
        Assert.Equal("model", (await Wire.ErrorAsync(embed, HttpStatusCode.BadRequest)).Str("param"));
        Assert.Empty(_server.Launcher.Models);
        Assert.Equal(ModelTypes.ImageGen, _server.Store.Find(Nexa.Hub.ModelName.Parse(ServerHarness.ImageModel))!.Manifest.ModelType);
    }
}
