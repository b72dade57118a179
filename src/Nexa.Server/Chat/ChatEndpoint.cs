using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nexa.Protocol;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;
using Nexa.Server.Vision;

namespace Nexa.Server.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: generate with a chat model, answer as one JSON object or as server-sent events.
/// The <c>Nexa-KeepCache</c> header is accepted and has no effect: the engine reuses cached prompt prefixes for every
/// request.
/// </summary>
internal sealed class ChatEndpoint(ModelPipeline pipeline, ImageResolver images, TimeProvider time, ILogger<ChatEndpoint> log)
{
    public Task HandleAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.ChatCompletionRequest, ChatRequestMapper.Map, async call =>
        {
            var job = call.Job;
            // Images are fetched before the model is leased (a slow URL must not hold a slot others wait for); their
            // bytes count against the server's image memory until the answer is written.
            using var imageBytes = images.NewBudget();
            if (job.HasImages)
                job = job with { Request = await images.AttachAsync(job, imageBytes, call.Ct) };

            await using var lease = await call.LeaseAsync();
            var events = lease.GenerateAsync(job.Request, call.Ct);
            var ids = CompletionIds.New(time);
            if (job.Stream)
                await ChatStreamWriter.WriteAsync(http, job, events, ids, log, call.Ct);
            else
                await ChatCompletionWriter.WriteAsync(http, job, events, ids, call.Ct);
        },
        // A client that asked for a stream reads events, never a JSON null.
        warmUp: call => call.Job.Stream
            ? ChatStreamWriter.WriteWarmUpAsync(http, call.Job, CompletionIds.New(time), call.Ct)
            : JsonReply.WriteNullAsync(http));
}
