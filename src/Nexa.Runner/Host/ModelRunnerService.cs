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
        catch (EngineException e)
        {
            throw RunnerErrors.ToRpcException(e);
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client is gone: nobody reads an answer. (After a cancel, writes throw either
            // OperationCanceledException or InvalidOperationException; neither is a failure.)
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopping: no trailers, so the client treats it as the runner going away, which it is.
            throw new RpcException(new Status(StatusCode.Unavailable, "the runner is stopping"));
        }
        catch (Exception e) when (e is not RpcException)
        {
            logger.LogError(e, "generation failed");
            throw RunnerErrors.ToRpcException(new EngineException(EngineErrorKind.Internal, $"the engine failed: {e.Message}", inner: e));
        }
    }
}
