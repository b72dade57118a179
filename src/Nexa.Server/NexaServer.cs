using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Server.Catalog;
using Nexa.Server.Hosting;
using Nexa.Server.Residency;

namespace Nexa.Server;

/// <summary>
/// The nexa HTTP server: an OpenAI-compatible API over the models in the store, each loaded through an
/// <see cref="IModelLauncher"/> on first use. <c>nexa serve</c> and the tests start this very class.
/// </summary>
public sealed class NexaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelResidency _residency;
    private readonly Lock _lock = new();
    private Task? _stopping;

    private NexaServer(WebApplication app, ModelResidency residency, Uri baseAddress, IReadOnlyList<string> warnings)
    {
        _app = app;
        _residency = residency;
        BaseAddress = baseAddress;
        Warnings = warnings;
    }

    /// <summary>Where clients reach the server, e.g. <c>http://127.0.0.1:18181</c> (a wildcard bind reads as loopback).</summary>
    public Uri BaseAddress { get; }

    /// <summary>What the user should hear about at start: aliases whose model is not pulled, or that hide a pulled one.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Binds <see cref="ServerOptions.Host"/> and starts serving. Throws <see cref="ServerStartException"/> when it cannot.</summary>
    public static Task<NexaServer> StartAsync(ServerOptions options, IModelLauncher launcher, CancellationToken ct) =>
        StartAsync(options, launcher, TimeProvider.System, ct);

    /// <summary>As above, with the clock that drives keep-alive unloading (tests move it by hand).</summary>
    internal static async Task<NexaServer> StartAsync(ServerOptions options, IModelLauncher launcher, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(launcher);
        var (app, residency) = ServerApp.Build(options, launcher, time);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await residency.DisposeAsync();
            await app.DisposeAsync();
            throw new ServerStartException($"cannot listen on {options.Host}: {e.Message}", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var warnings = new NameResolver(new ModelStore(options.DataDir), options.Aliases).Warnings();
        return new NexaServer(app, residency, ClientAddress(address), warnings);
    }

    /// <summary>Stops accepting requests, cancels the generations in flight, and unloads every model. Safe to call twice.</summary>
    public Task StopAsync()
    {
        lock (_lock)
            return _stopping ??= StopCoreAsync();
    }

    /// <summary>Returns when the server has stopped: after <see cref="StopAsync"/>, a SIGTERM/Ctrl-C, or when <paramref name="ct"/> is cancelled (which stops it).</summary>
    public async Task WaitForShutdownAsync(CancellationToken ct)
    {
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_app.Lifetime.ApplicationStopping.Register(() => stopRequested.TrySetResult()))
        using (ct.Register(() => stopRequested.TrySetResult()))
        {
            await stopRequested.Task;
        }
        await StopAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopCoreAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _residency.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static Uri ClientAddress(string bound)
    {
        var uri = new UriBuilder(bound);
        uri.Host = uri.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            _ => uri.Host,
        };
        return uri.Uri;
    }
}
