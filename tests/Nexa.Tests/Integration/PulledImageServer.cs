using System.Text;
using Nexa.Hub;
using Nexa.Hub.HuggingFace;
using Nexa.Hub.Pull;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Integration;

/// <summary>
/// An image pipeline as a user gets it: `nexa pull` of <see cref="Model"/> from a fake hub on 127.0.0.1 into a fresh
/// store, then the real server (one slot, no queue) with real runner processes over that store.
/// </summary>
public sealed class PulledImageServer : IAsyncDisposable
{
    public const string Model = "stabilityai/sdxl-turbo";

    private readonly TempDir _dir;
    private readonly FakeHub _hub;

    private PulledImageServer(TempDir dir, FakeHub hub, NexaServer server, TimeSpan bound)
    {
        _dir = dir;
        _hub = hub;
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = bound };
    }

    public NexaServer Server { get; }

    public HttpClient Http { get; }

    /// <param name="addRepository">Puts the repository on the hub (a scratch folder is given for files to write first).</param>
    public static async Task<PulledImageServer> StartAsync(Action<FakeHub, string> addRepository, RunnerLauncher launcher, TimeSpan bound, int threads = 0)
    {
        var dir = new TempDir();
        var hub = await FakeHub.StartAsync();
        try
        {
            addRepository(hub, dir["scratch"]);
            var store = new ModelStore(dir["data"]);
            using (var http = new HttpClient())
            {
                var client = new HubClient(http, new HubSettings(hub.Endpoint, null));
                var puller = new ModelPuller(store, client, new FileDownloader(http, client, new DownloadOptions()), NullPullProgress.Instance);
                await puller.PullAsync(new PullRequest(ModelName.Parse(Model)), CancellationToken.None).WaitAsync(bound);
            }
            var server = await NexaServer.StartAsync(
                new ServerOptions { DataDir = store.DataDir, Host = "127.0.0.1:0", Threads = threads, Parallel = 1, QueueSize = 0 }, launcher, CancellationToken.None);
            return new PulledImageServer(dir, hub, server, bound);
        }
        catch
        {
            await hub.DisposeAsync();
            dir.Dispose();
            throw;
        }
    }

    public Task<HttpResponseMessage> PostAsync(string json, CancellationToken ct = default) =>
        Http.PostAsync("/v1/images/generations", new StringContent(json, Encoding.UTF8, "application/json"), ct);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await _hub.DisposeAsync();
        _dir.Dispose();
    }
}
