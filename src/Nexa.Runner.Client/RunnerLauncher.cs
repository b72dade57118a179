using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Nexa.Engine.Text;
using Nexa.Runner.Protos;
using Nexa.Runner.Wire;

namespace Nexa.Runner.Client;

/// <summary>
/// Starts each model in its own runner process (<c>nexa runner …</c>) and returns a <see cref="RunnerClient"/> once the
/// model is loaded and the runner has answered its first call (which also pays the one-time warm-up of the channel).
/// </summary>
public sealed class RunnerLauncher(RunnerLauncherOptions? options = null) : IModelLauncher
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly RunnerLauncherOptions _options = options ?? new RunnerLauncherOptions();

    public async Task<ILoadedModel> LaunchAsync(RunnerStartInfo start, CancellationToken ct)
    {
        var socketPath = RunnerSockets.NewPath(_options.SocketDirectory);
        RunnerSockets.TryDelete(socketPath);
        var commandLine = (_options.RunnerCommandLine ?? DefaultCommandLine()).Concat(Arguments(start, socketPath)).ToList();

        var clock = Stopwatch.StartNew();
        var process = RunnerProcess.Start(commandLine, _options.LogLines, _options.RunnerOutput);
        var channel = RunnerSockets.CreateChannel(socketPath);
        try
        {
            var info = await WaitUntilReadyAsync(process, channel, socketPath, start, ct);
            return new RunnerClient(process, channel, socketPath, start.ModelPath, info, clock.Elapsed, _options.ShutdownGrace);
        }
        catch
        {
            await process.StopAsync(TimeSpan.Zero);
            channel.Dispose();
            RunnerSockets.TryDelete(socketPath);
            throw;
        }
    }

    /// <summary>
    /// This executable when it is nexa (the apphost, or nexa.dll under dotnet). Otherwise (a test host) nexa.dll beside
    /// this assembly: it was built into this app's folder, so it runs on this app's dependency list (its own
    /// nexa.deps.json names files that the app's build may have left out in favour of the shared framework's).
    /// </summary>
    public static IReadOnlyList<string> DefaultCommandLine()
    {
        var processPath = Environment.ProcessPath ?? "";
        var processName = Path.GetFileNameWithoutExtension(processPath);
        if (processName == "nexa")
            return [processPath, "runner"];

        var dotnet = processName == "dotnet" ? processPath : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        if (Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name == "nexa" && entry.Location.Length > 0)
            return [dotnet, entry.Location, "runner"];

        var beside = Path.Combine(AppContext.BaseDirectory, "nexa.dll");
        if (!File.Exists(beside))
            throw new EngineException(EngineErrorKind.LoadFailed, $"cannot start a runner: neither this process ({processPath}) nor {beside} is nexa");
        return RunnerBesideThisApp("nexa.dll");
    }

    /// <summary>
    /// The <c>runner</c> command of <paramref name="dll"/>, an executable built into this app's folder, run by dotnet on
    /// this app's dependency list (the dll's own deps.json may name files that the app's build left out in favour of
    /// the shared framework's). Tests start a runner with a fake engine this way.
    /// </summary>
    public static IReadOnlyList<string> RunnerBesideThisApp(string dll)
    {
        var processPath = Environment.ProcessPath ?? "";
        var dotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var path = Path.Combine(AppContext.BaseDirectory, dll);
        var appDeps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';').FirstOrDefault(File.Exists);
        var runtimeConfig = Path.ChangeExtension(path, ".runtimeconfig.json");
        return appDeps is null
            ? [dotnet, path, "runner"]
            : [dotnet, "exec", "--runtimeconfig", runtimeConfig, "--depsfile", appDeps, path, "runner"];
    }

    private static IEnumerable<string> Arguments(RunnerStartInfo start, string socketPath)
    {
        var o = start.Options;
        var invariant = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            "--model", start.ModelPath,
            "--model-type", start.ModelType,
            "--socket", socketPath,
            "--ctx-size", o.ContextSize.ToString(invariant),
            "--batch-size", o.BatchSize.ToString(invariant),
            "--threads", o.Threads.ToString(invariant),
            "--parallel", o.Parallel.ToString(invariant),
            "--gpu-layers", o.GpuLayers.ToString(invariant),
        ];
        if (start.MMProjPath is { } mmproj)
            arguments = [.. arguments, "--mmproj", mmproj];
        if (!o.PromptCache)
            arguments = [.. arguments, "--no-prompt-cache"];
        return start.Verbose ? [.. arguments, "--verbose"] : arguments;
    }

    // HasExited turns true when the OS reaps the runner; its last words are read (and its exit code known) a moment later.
    private static async Task<EngineException> LoadFailureAsync(RunnerProcess process, RunnerStartInfo start)
    {
        await RunnerProcess.CompletesWithinAsync(process.Exited, TimeSpan.FromSeconds(2));
        return LoadFailure(process, start);
    }

    private async Task<TextModelInfo> WaitUntilReadyAsync(RunnerProcess process, GrpcChannel channel, string socketPath, RunnerStartInfo start, CancellationToken ct)
    {
        var client = new ModelRunner.ModelRunnerClient(channel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.LoadTimeout);
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw await LoadFailureAsync(process, start);
                // The runner binds only after its model loaded: until the file exists there is nothing to ask.
                if (File.Exists(socketPath))
                {
                    try
                    {
                        return RunnerWire.FromWire(await client.InfoAsync(new InfoRequest(), cancellationToken: timeout.Token));
                    }
                    catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal)
                    {
                        // Bound but not accepting yet, or exiting: the next turn tells.
                    }
                }
                await Task.WhenAny(process.Exited, Task.Delay(PollInterval, timeout.Token));
                timeout.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            if (process.HasExited)
                throw await LoadFailureAsync(process, start);
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"the runner for {Path.GetFileName(start.ModelPath)} did not load it within {_options.LoadTimeout.TotalSeconds:0} s{Tail(process.Log.Snapshot())}");
        }
        catch (RpcException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"the runner for {Path.GetFileName(start.ModelPath)} answered its first call with {e.StatusCode}: {e.Status.Detail}", inner: e);
        }
    }

    /// <summary>The runner's own "error: …" line when it wrote one (a load failure), with the lines before it (llama.cpp's log).</summary>
    private static EngineException LoadFailure(RunnerProcess process, RunnerStartInfo start)
    {
        var lines = process.Log.Snapshot();
        var at = lines.ToList().FindLastIndex(l => l.StartsWith("error: ", StringComparison.Ordinal));
        if (at >= 0)
            return new EngineException(EngineErrorKind.LoadFailed, lines[at]["error: ".Length..] + Tail(lines.Take(at).ToList(), separator: "\n"));
        return new EngineException(EngineErrorKind.LoadFailed,
            $"the runner for {Path.GetFileName(start.ModelPath)} exited ({process.DescribeExit()}) before it was ready{Tail(lines)}");
    }

    /// <summary>The last lines worth reading: .NET stack frames (a FailFast prints dozens) would push the reason out.</summary>
    internal static string Tail(IReadOnlyList<string> lines, string separator = ": ", int count = 12)
    {
        var last = lines.Where(l => !string.IsNullOrWhiteSpace(l) && !(char.IsWhiteSpace(l[0]) && l.TrimStart().StartsWith("at ", StringComparison.Ordinal)))
            .TakeLast(count).ToList();
        return last.Count == 0 ? "" : separator + string.Join("\n", last);
    }
}
