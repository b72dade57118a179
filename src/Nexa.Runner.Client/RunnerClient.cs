using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Runner.Protos;
using Nexa.Runner.Wire;
using RerankRequest = Nexa.Engine.Embeddings.RerankRequest;

namespace Nexa.Runner.Client;

/// <summary>
/// A model loaded in a runner process, seen as an <see cref="ILoadedModel"/>. Engine errors come back as the runner threw
/// them; a runner that dies (or stops answering) fails its calls with <see cref="EngineErrorKind.Crashed"/>, its last
/// output lines in the message, and completes <see cref="Exited"/> so whoever holds it can start a fresh one.
/// </summary>
public sealed class RunnerClient : ILoadedModel
{
    /// <summary>How long a broken call waits for the process to be seen gone before it is declared hung and killed.</summary>
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(1);

    private readonly RunnerProcess _process;
    private readonly GrpcChannel _channel;
    private readonly ModelRunner.ModelRunnerClient _client;
    private readonly TimeSpan _shutdownGrace;
    private readonly string _modelName;

    // Cancelled when the process exits: calls waiting on a dead runner end even if no socket error reaches them.
    private readonly CancellationTokenSource _gone = new();
    private readonly Task _exited;
    private int _disposed;

    internal RunnerClient(RunnerProcess process, GrpcChannel channel, string socketPath, string modelPath, TextModelInfo info, TimeSpan startupTime, TimeSpan shutdownGrace)
    {
        _process = process;
        _channel = channel;
        _client = new ModelRunner.ModelRunnerClient(channel);
        _shutdownGrace = shutdownGrace;
        _modelName = Path.GetFileName(modelPath);
        SocketPath = socketPath;
        Info = info;
        StartupTime = startupTime;
        _exited = WhenExitedAsync();
    }

    public TextModelInfo Info { get; }

    public int ProcessId => _process.Id;

    public string SocketPath { get; }

    /// <summary>From starting the process to the first answer: model load included.</summary>
    public TimeSpan StartupTime { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the runner process has ended, for whatever reason (crash, kill, dispose).</summary>
    public Task Exited => _exited;

    /// <summary>Null while it runs; 128 + N when signal N ended it.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <summary>The runner's last output lines (its stderr and stdout).</summary>
    public IReadOnlyList<string> RecentOutput => _process.Log.Snapshot();

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (HasExited)
            throw await StoppedAsync();

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _gone.Token);
        var callToken = linked.Token;
        using var call = _client.Generate(RunnerWire.ToWire(request), cancellationToken: callToken);
        var finished = false;
        while (!finished)
        {
            GenerationEvent? next;
            try
            {
                if (!await call.ResponseStream.MoveNext(callToken))
                    break;
                next = RunnerWire.FromWire(call.ResponseStream.Current);
            }
            catch (Exception e) when (ct.IsCancellationRequested)
            {
                if (e is OperationCanceledException)
                    throw;
                throw new OperationCanceledException("the generation was cancelled", e, ct);
            }
            catch (Exception e)
            {
                throw await FailureAsync(e);
            }
            if (next is null)
                continue;
            finished = next is GenerationFinished;
            yield return next;
        }
        if (!finished)
            throw await FailureAsync(null);
    }

    public Task<ModelStats> GetStatsAsync(CancellationToken ct) =>
        UnaryAsync(async token => StatsWire.FromWire(await _client.StatsAsync(new StatsRequest(), cancellationToken: token)), "stats", ct);

    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken ct) =>
        UnaryAsync(async token => EmbeddingWire.FromWire(await _client.EmbedAsync(EmbeddingWire.ToWire(request), cancellationToken: token)), "embedding", ct);

    public Task<RerankResult> RerankAsync(RerankRequest request, CancellationToken ct) =>
        UnaryAsync(async token => EmbeddingWire.FromWire(await _client.RerankAsync(EmbeddingWire.ToWire(request), cancellationToken: token)), "reranking", ct);

    public Task<IReadOnlyList<Engine.Text.TokenPiece>> TokenizeAsync(Engine.Text.TokenizeRequest request, CancellationToken ct) =>
        UnaryAsync(async token => TokenWire.FromWire(await _client.TokenizeAsync(TokenWire.ToWire(request), cancellationToken: token)), "tokenization", ct);

    public Task<string> DetokenizeAsync(IReadOnlyList<int> tokens, CancellationToken ct) =>
        UnaryAsync(async token => (await _client.DetokenizeAsync(new DetokenizeRequest { Tokens = { tokens } }, cancellationToken: token)).Text, "detokenization", ct);

    public Task<string> ApplyTemplateAsync(ChatRequest request, CancellationToken ct) =>
        UnaryAsync(async token => (await _client.ApplyTemplateAsync(RunnerWire.ToWire(request), cancellationToken: token)).Prompt, "template rendering", ct);

    public async Task<ImageGenerationResult> GenerateImagesAsync(ImageGenerationRequest request, IProgress<ImageGenerationProgress>? progress, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (HasExited)
            throw await StoppedAsync();

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _gone.Token);
        var callToken = linked.Token;
        var images = new List<GeneratedImage>(request.Count);
        try
        {
            // Disposing the call cancels it in the runner: leaving this method early (cancel, failure) stops the generation.
            using var call = _client.GenerateImages(ImageWire.ToWire(request), cancellationToken: callToken);
            while (await call.ResponseStream.MoveNext(callToken))
            {
                var next = call.ResponseStream.Current;
                switch (next.EventCase)
                {
                    case GenerateImagesEvent.EventOneofCase.Progress:
                        progress?.Report(ImageWire.FromWire(next.Progress));
                        break;
                    case GenerateImagesEvent.EventOneofCase.Image:
                        images.Add(ImageWire.FromWire(next.Image));
                        break;
                    case GenerateImagesEvent.EventOneofCase.Finished:
                        return new ImageGenerationResult(images, ImageWire.Elapsed(next.Finished));
                }
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            if (e is OperationCanceledException)
                throw;
            throw new OperationCanceledException("the image generation was cancelled", e, ct);
        }
        catch (Exception e)
        {
            throw await FailureAsync(e);
        }
        throw await FailureAsync(null);
    }

    /// <summary>Closes the runner's stdin (it exits), waits a little, then kills it and its children; removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _process.StopAsync(_shutdownGrace);
        await RunnerProcess.CompletesWithinAsync(_exited, TimeSpan.FromSeconds(1));
        _channel.Dispose();
        RunnerSockets.TryDelete(SocketPath);
        _process.Dispose();
    }

    /// <summary>One request–reply call: engine errors as the runner threw them, a dead runner as <see cref="EngineErrorKind.Crashed"/>.</summary>
    private async Task<T> UnaryAsync<T>(Func<CancellationToken, Task<T>> call, string what, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (HasExited)
            throw await StoppedAsync();

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _gone.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            if (e is OperationCanceledException)
                throw;
            throw new OperationCanceledException($"the {what} was cancelled", e, ct);
        }
        catch (Exception e)
        {
            throw await FailureAsync(e);
        }
    }

    private async Task<Exception> FailureAsync(Exception? e)
    {
        if (e is RpcException rpc && RunnerErrors.TryGetEngineException(rpc, out var engine))
            return engine;
        if (e is RpcException { StatusCode: not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled) } refused && !HasExited)
        {
            // An answer, not a breakage (e.g. a message over the size limit): the runner itself is fine.
            return new EngineException(EngineErrorKind.Internal, $"the runner for {_modelName} refused the call: {refused.StatusCode}: {refused.Status.Detail}", inner: e);
        }

        // The runner died, or the connection to it broke: either way this runner is finished.
        if (await RunnerProcess.CompletesWithinAsync(_exited, ExitWait))
            return Stopped(e);
        _process.Kill();
        await RunnerProcess.CompletesWithinAsync(_exited, TimeSpan.FromSeconds(5));
        var what = e is RpcException broken ? broken.StatusCode.ToString() : e?.GetType().Name ?? "the stream ended early";
        return new EngineException(EngineErrorKind.Crashed,
            $"the runner for {_modelName} stopped answering ({what}) and was stopped{RunnerLauncher.Tail(_process.Log.Snapshot())}", inner: e);
    }

    // Reaped but maybe not drained yet: wait (briefly) for its exit code and last lines before saying why it stopped.
    private async Task<EngineException> StoppedAsync()
    {
        await RunnerProcess.CompletesWithinAsync(_exited, ExitWait);
        return Stopped(inner: null);
    }

    private EngineException Stopped(Exception? inner) => new(EngineErrorKind.Crashed,
        $"the runner for {_modelName} stopped ({_process.DescribeExit()}){RunnerLauncher.Tail(_process.Log.Snapshot())}", inner: inner);

    private async Task WhenExitedAsync()
    {
        await _process.Exited;
        RunnerSockets.TryDelete(SocketPath);
        await _gone.CancelAsync();
    }
}
