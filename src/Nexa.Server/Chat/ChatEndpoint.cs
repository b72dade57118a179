using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexa.Protocol;
using Nexa.Server.Catalog;
using Nexa.Server.Http;
using Nexa.Server.Residency;
using Nexa.Server.Vision;

namespace Nexa.Server.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: parse and check the body, resolve the model, hold it loaded, generate, answer
/// as one JSON object or as server-sent events. The <c>Nexa-KeepCache</c> header is accepted and has no effect:
/// the engine reuses cached prompt prefixes for every request.
/// </summary>
internal sealed class ChatEndpoint(
    ModelCatalog catalog, ModelResidency residency, ImageResolver images, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ChatEndpoint> log)
{
    public async Task HandleAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync(http, ProtocolJsonContext.Wire.ChatCompletionRequest);
        var job = ChatRequestMapper.Map(body);
        var model = catalog.Resolve(job.Model);
        ModelCatalog.EnsureCanChat(model, job.Model, job.Images.FirstOrDefault()?.Param);

        // A client that goes away, or a server that stops, ends the generation at once.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = cancel.Token;

        // Images are fetched and decoded before the model is leased: a slow URL must not hold a slot others wait for.
        if (job.HasImages)
            job = job with { Request = await images.AttachAsync(job, ct) };

        if (job.IsWarmUp)
        {
            await residency.WarmUpAsync(model, ct);
            // A client that asked for a stream reads events, never a JSON null.
            if (job.Stream)
                await ChatStreamWriter.WriteWarmUpAsync(http, job, CompletionIds.New(time), ct);
            else
                await JsonReply.WriteNullAsync(http);
            return;
        }

        await using var lease = await residency.AcquireAsync(model, forGeneration: true, ct);
        var events = lease.GenerateAsync(job.Request, ct);
        var ids = CompletionIds.New(time);
        if (job.Stream)
            await ChatStreamWriter.WriteAsync(http, job, events, ids, log, ct);
        else
            await ChatCompletionWriter.WriteAsync(http, job, events, ids, ct);
    }
}
