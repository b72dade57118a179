using System.Threading.Channels;
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

    public override Task<TokenizeReply> Tokenize(Protos.TokenizeRequest request, ServerCallContext context) =>
        UnaryAsync(context, "tokenization", async ct => TokenWire.ToWire(await model.TokenizeAsync(TokenWire.FromWire(request), ct)));

    public override Task<DetokenizeReply> Detokenize(DetokenizeRequest request, ServerCallContext context) =>
        UnaryAsync(context, "detokenization", async ct => new DetokenizeReply { Text = await model.DetokenizeAsync([.. request.Tokens], ct) });

    public override Task<ApplyTemplateReply> ApplyTemplate(GenerateRequest request, ServerCallContext context) =>
        UnaryAsync(context, "template rendering", async ct => new ApplyTemplateReply { Prompt = await model.ApplyTemplateAsync(RunnerWire.FromWire(request), ct) });

    public override async Task GenerateImages(GenerateImagesRequest request, IServerStreamWriter<GenerateImagesEvent> responseStream, ServerCallContext context)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = stop.Token;
        // The engine reports progress on its own thread; a channel puts progress, images and the end in one order
        // for the one writer the stream allows.
        var events = Channel.CreateUnbounded<GenerateImagesEvent>(new UnboundedChannelOptions { SingleReader = true });
        var generation = GenerateImagesIntoAsync(ImageWire.FromWire(request), events.Writer, ct);
        try
        {
            await foreach (var imageEvent in events.Reader.ReadAllAsync(ct))
                await responseStream.WriteAsync(imageEvent, ct);
        }
        catch (Exception e) when (e is not EngineException && context.CancellationToken.IsCancellationRequested)
        {
            // The client is gone (see Generate).
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Failure(e, context, ct, "image generation");
        }
        finally
        {
            await stop.CancelAsync();
            await generation;
        }
    }

    // Never throws: the outcome (images then the end, or the failure) goes into the channel.
    private async Task GenerateImagesIntoAsync(Engine.Images.ImageGenerationRequest request, ChannelWriter<GenerateImagesEvent> events, CancellationToken ct)
    {
        try
        {
            var progress = new ChannelProgress(events);
            var result = await model.GenerateImagesAsync(request, progress, ct);
            foreach (var image in result.Images)
                events.TryWrite(ImageWire.ToWire(image));
            events.TryWrite(ImageWire.Finished(result.Elapsed));
            events.TryComplete();
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
    }

    /// <summary>Progress written straight into the channel, in the engine's order (<see cref="Progress{T}"/> would post it to the thread pool, out of order).</summary>
    private sealed class ChannelProgress(ChannelWriter<GenerateImagesEvent> events) : IProgress<Engine.Images.ImageGenerationProgress>
    {
        public void Report(Engine.Images.ImageGenerationProgress value) => events.TryWrite(ImageWire.ToWire(value));
    }

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
