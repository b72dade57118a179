using System.Net;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Integration;
using Nexa.Tests.Server.Fakes;
using Xunit.Abstractions;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// The fuzz run on the real engine: real runners, llama.cpp and the tiny models (chat, vision, a BERT embedder and
/// reranker), so the requests that pass the server's checks meet the engine's. Also the seed's RAG flow on the same
/// three models, each loaded once.
/// </summary>
public sealed class FuzzThroughRunnerTests(FuzzServerFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzServerFixture>
{
    [Fact]
    public async Task Malformed_requests_reach_the_engine_and_still_get_a_4xx_in_time()
    {
        await using var images = await ImageHost.StartAsync();
        using var files = new TempDir();
        var targets = fixture.Targets with { ImageUrls = await FuzzImages.UrlsAsync(images, files) };

        var report = await new FuzzDriver(fixture.Address, TimeSpan.FromSeconds(30), concurrency: 4)
            .RunAsync(new FuzzCases(ServerFuzzTests.Seed + 1, targets).Take(ServerFuzzTests.Count(400)));

        output.WriteLine(report.ToString());
        if (fixture.External is { } external)
        {
            var peak = external.PeakRssBytes;
            var atEnd = external.RssNowBytes;
            await Task.Delay(TimeSpan.FromSeconds(3)); // a measurement by hand, not an assertion: what it holds once idle
            output.WriteLine($"server process: largest RSS {peak >> 20} MiB, {atEnd >> 20} MiB at the end, {external.RssNowBytes >> 20} MiB 3 s later");
        }
        Assert.True(report.Failures.Count == 0, string.Join('\n', report.Failures.Take(20)));
        await FuzzImages.AssertServingAsync(fixture.Http, targets);
    }

    [Fact]
    public async Task The_rag_flow_starts_one_runner_per_model_and_keeps_them()
    {
        var t = fixture.Targets;
        IReadOnlyList<int>? first = null;
        for (var round = 0; round < 3; round++)
        {
            await OkAsync("/v1/embeddings", $$"""{"model":"{{t.Embedder}}","input":["what is nexa","a local runtime"]}""");
            await OkAsync("/v1/rerank", $$"""{"model":"{{t.Reranker}}","query":"what is nexa","documents":["a local runtime","a cat"]}""");
            await OkAsync("/v1/chat/completions", $$"""{"model":"{{t.Chat}}","messages":[{"role":"user","content":"answer"}],"max_tokens":2}""");
            var runners = fixture.RunnerPids();
            first ??= runners;
            Assert.Equal(first, runners);
        }

        Assert.True(first!.Count >= 3, $"{first.Count} runners");
        using var health = await fixture.Http.GetAsync("/health");
        var loaded = (await Wire.JsonAsync(health)).GetProperty("models").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains(loaded, m => m!.StartsWith(t.Embedder, StringComparison.Ordinal));
        Assert.Contains(loaded, m => m!.StartsWith(t.Reranker, StringComparison.Ordinal));
        Assert.Contains(loaded, m => m!.StartsWith(t.Chat, StringComparison.Ordinal));
    }

    private async Task OkAsync(string path, string body)
    {
        using var response = await fixture.Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>
/// A store with the tiny chat, vision, embedding and reranking models, served by the real server in this process, or,
/// with NEXA_FUZZ_EXTERNAL=&lt;path of a nexa.dll&gt; (e.g. .build/cli/nexa.dll, which ./nexa builds), by a separate
/// <c>nexa serve</c> process whose memory is watched: a long run by hand, with NEXA_FUZZ_REQUESTS=10000.
/// </summary>
public sealed class FuzzServerFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private NexaServer? _server;

    public FuzzTargets Targets { get; } = new("tiny/chat", "tiny/vision", "tiny/bert", "tiny/rerank", null);
    public Uri Address { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public ExternalServer? External { get; private set; }
    private string DataDir => _dir["data"];

    public IReadOnlyList<int> RunnerPids() => External?.RunnerPids() ?? [.. RunnerProcesses.Under(DataDir).Order()];

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        var store = new ModelStore(DataDir);
        RealServer.AddModel(store, Targets.Chat, TinyModels.WriteChatModel(_dir["chat.gguf"]));
        RealServer.AddModel(store, Targets.Vision!, TinyModels.WriteChatModel(_dir["vision.gguf"]), TinyVisionProjector.Write(_dir["mmproj.gguf"]));
        RealServer.AddModel(store, Targets.Embedder, TinyBertModels.WriteEmbeddingModel(_dir["bert.gguf"], contextLength: 64), modelType: ModelTypes.Embedder);
        RealServer.AddModel(store, Targets.Reranker, TinyBertModels.WriteReranker(_dir["rerank.gguf"]), modelType: ModelTypes.Reranker);

        if (Environment.GetEnvironmentVariable("NEXA_FUZZ_EXTERNAL") is { Length: > 0 } nexaDll)
        {
            External = await ExternalServer.StartAsync(nexaDll, DataDir);
            Address = External.Address;
        }
        else
        {
            var options = new ServerOptions { Host = "127.0.0.1:0", DataDir = DataDir, ContextSize = 512, Threads = 1, ImageFetchTimeout = TimeSpan.FromSeconds(5) };
            _server = await NexaServer.StartAsync(options, new RunnerLauncher(), CancellationToken.None).WaitAsync(RealServer.Bound);
            Address = _server.BaseAddress;
        }
        Http = new HttpClient { BaseAddress = Address, Timeout = RealServer.Bound };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync().AsTask().WaitAsync(RealServer.Bound);
        if (External is not null)
            await External.DisposeAsync();
        foreach (var pid in RunnerProcesses.Under(DataDir))
            RunnerProcesses.Kill(pid);
        _dir.Dispose();
    }
}
