using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;
using Xunit.Abstractions;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// A seeded fuzz of every route through the real server with the fake engine: no 5xx, no answer past its deadline,
/// every 4xx in OpenAI's shape, and the server serves normally afterwards. (The real engine's run is
/// <see cref="FuzzThroughRunnerTests"/>.)
/// </summary>
public sealed class ServerFuzzTests(ITestOutputHelper output)
{
    public const int Seed = 17;

    /// <summary>Requests per run; NEXA_FUZZ_REQUESTS raises it for a long run by hand.</summary>
    public static int Count(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("NEXA_FUZZ_REQUESTS"), out var asked) && asked > 0 ? asked : normal;

    [Fact]
    public async Task Malformed_requests_on_every_route_get_a_4xx_in_time_and_the_server_lives_on()
    {
        await using var server = (await ServerHarness.StartAsync(o => o with { ImageFetchTimeout = TimeSpan.FromSeconds(5) })).WithImageModels();
        await using var images = await ImageHost.StartAsync();
        using var files = new TempDir();
        var targets = new FuzzTargets(ServerHarness.ChatModel, ServerHarness.Vision, ServerHarness.Embedder, ServerHarness.Reranker, ServerHarness.ImageModel)
        {
            ImageUrls = await FuzzImages.UrlsAsync(images, files),
        };

        var report = await new FuzzDriver(server.Server.BaseAddress, TimeSpan.FromSeconds(20), concurrency: 4)
            .RunAsync(new FuzzCases(Seed, targets).Take(Count(1500)));

        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, string.Join('\n', report.Failures.Take(20)));
        await FuzzImages.AssertServingAsync(server.Http, targets);
    }
}
