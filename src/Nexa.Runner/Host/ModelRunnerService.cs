using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexa.Engine.Text;
using Nexa.Runner.Protos;
using Nexa.Runner.Wire;

namespace Nexa.Runner.Host;

/// <summary>The gRPC face of the one model this runner holds.</summary>
internal sealed class ModelRunnerService(ILoadedModel model, IHostApplicationLifetime lifetime, ILogger<ModelRunnerService> logger)
    : ModelRunner.ModelRunnerBase
{
    public override Task<InfoReply> Info(InfoRequest request, ServerCallContext context) =>
        Task.FromResult(RunnerWire.ToWire(model.Info));

    public override Task<StatsReply> Stats(StatsRequest request, ServerCallContext context) =>
        UnaryAsync(context, "stats", async ct => StatsWire.ToWire(await model.GetStatsAsync(ct)));

    public override async Task Generate(GenerateRequest request, IServerStreamWriter<GenerateEvent> responseStream, ServerCallContext context)
    {
        // The client going away (its cancel, its disconnect) and this runner stopping both end the generation at once.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = stop.Token;
        try
        {
            await foreach (var generationEvent in model.GenerateAsync(RunnerWire.FromWire(request), ct))
                await responseStream.WriteAsync(RunnerWire.ToWire(generationEvent), ct);
        }
        catch (Exception e) when (e is not EngineException && context.CancellationToken.IsCancellationRequested)
        {
            // The client is gone: nobody reads an answer. (After a cancel, writes throw either
            // OperationCanceledException or InvalidOperationException; neither is a failure.)
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Failure(e, context, ct, "generation");
        }
    }

    public override Task<EmbedReply> Embed(EmbedRequest request, ServerCallContext context) =>
        UnaryAsync(context, "embedding", async ct => EmbeddingWire.ToWire(await model.EmbedAsync(EmbeddingWire.FromWire(request), ct)));

    public override Task<RerankReply> Rerank(RerankRequest request, ServerCallContext context) =>
        UnaryAsync(context, "reranking", async ct => EmbeddingWire.ToWire(await model.RerankAsync(EmbeddingWire.FromWire(request), ct)));

    private async Task<T> UnaryAsync<T>(ServerCallContext context, string what, Func<CancellationToken, Task<T>> call)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            return await call(stop.Token);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Failure(e, context, stop.Token, what);
        }
    }

    /// <summary>The one place an engine failure becomes a gRPC status (with the trailers the client rebuilds it from).</summary>
    private RpcException Failure(Exception e, ServerCallContext context, CancellationToken ct, string what)
    {
        if (e is EngineException engine)
            return RunnerErrors.ToRpcException(engine);
        // The client is gone: nobody reads the answer.
        if (context.CancellationToken.IsCancellationRequested)
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        // Stopping: no trailers, so the client treats it as the runner going away, which it is.
        if (ct.IsCancellationRequested)
            return new RpcException(new Status(StatusCode.Unavailable, "the runner is stopping"));
        logger.LogError(e, "{What} failed", what);
        return RunnerErrors.ToRpcException(new EngineException(EngineErrorKind.Internal, $"the engine failed: {e.Message}", inner: e));
    }
}
