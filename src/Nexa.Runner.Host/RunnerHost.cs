using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Nexa.Engine.Text;

namespace Nexa.Runner.Host;

/// <summary>
/// The runner process: loads one model, then serves it over gRPC on a Unix socket until stdin closes, SIGTERM
/// arrives or <c>ct</c> is cancelled. The model is loaded before anything listens, so "the socket answers" means
/// "the model is ready", and a load failure is one line on stderr and exit code <see cref="RunnerExitCodes.LoadFailed"/>.
/// </summary>
public static class RunnerHost
{
    public static async Task<int> RunAsync(RunnerHostOptions options, Func<RunnerStartInfo, CancellationToken, Task<ILoadedModel>> loadModel, CancellationToken ct)
    {
        // Watched from the start: a server that dies while the model loads must not leave a runner behind.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.ExitWhenStandardInputCloses)
            _ = StandardInputWatcher.WhenClosed().ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        ILoadedModel model;
        try
        {
            model = await loadModel(options.Start, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return RunnerExitCodes.Ok;
        }
        catch (Exception e)
        {
            var reason = e is EngineException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            await options.Error.WriteLineAsync($"error: cannot load {Path.GetFileName(options.Start.ModelPath)}: {OneLine(reason)}");
            return RunnerExitCodes.LoadFailed;
        }

        await using (model)
        {
            WebApplication? app = null;
            try
            {
                ReplaceStaleSocket(options.SocketPath);
                app = Build(options, model);
                await app.StartAsync(stop.Token);
            }
            catch (Exception e)
            {
                if (app is not null)
                    await app.DisposeAsync();
                if (e is OperationCanceledException && stop.IsCancellationRequested)
                    return RunnerExitCodes.Ok;
                await options.Error.WriteLineAsync($"error: cannot listen on {options.SocketPath}: {OneLine(e.Message)}");
                return RunnerExitCodes.ListenFailed;
            }

            await using var served = app;
            // SIGTERM reaches us as ApplicationStopping (the host's console lifetime handles the signal).
            using (var stopped = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, app.Lifetime.ApplicationStopping))
                await Task.Delay(Timeout.Infinite, stopped.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            await app.StopAsync(CancellationToken.None);
            TryDelete(options.SocketPath);
        }
        return RunnerExitCodes.Ok;
    }

    private static WebApplication Build(RunnerHostOptions options, ILoadedModel model)
    {
        // Args = []: `runner --socket …` is ours, not configuration. The content root is the binaries' folder so
        // an appsettings.json in whatever folder the server runs from is not read.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });

        // Quiet: warnings and errors only (-v: everything), one line each, on stderr where the server keeps the last lines.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.Start.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = RunnerLimits.MaxMessageBytes);
        builder.Services.AddSingleton(model);

        var app = builder.Build();
        app.MapGrpcService<ModelRunnerService>();
        return app;
    }

    /// <summary>A killed runner leaves its socket file behind and binding then fails: remove it, unless someone still listens there.</summary>
    private static void ReplaceStaleSocket(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        if (!File.Exists(path))
            return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path);
                return;
            }
        }
        throw new IOException("another process is listening there");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" | ");

    // A stale socket file would stop the next runner from binding; a file already gone is fine.
    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
