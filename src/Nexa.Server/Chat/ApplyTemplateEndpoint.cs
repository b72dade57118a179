using Microsoft.AspNetCore.Http;
using Nexa.Protocol;
using Nexa.Protocol.Chat;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Chat;

/// <summary>
/// llama-server's <c>POST /apply-template</c>: a chat completions body in, <c>{"prompt": …}</c> out, the chat rendered by
/// the model's own template in its runner, exactly as a generation would render it (without the BOS the vocabulary
/// adds). It takes a slot like any request, so the model is loaded for it.
/// </summary>
internal sealed class ApplyTemplateEndpoint(ModelPipeline pipeline)
{
    public Task HandleAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.ChatCompletionRequest, ApplyTemplateJob.Map, async call =>
        {
            string prompt;
            await using (var lease = await call.LeaseAsync())
                prompt = await lease.Model.ApplyTemplateAsync(call.Job.Request, call.Ct);
            await JsonReply.WriteAsync(http, new ApplyTemplateResponse(prompt), ProtocolJsonContext.Wire.ApplyTemplateResponse);
        });
}
