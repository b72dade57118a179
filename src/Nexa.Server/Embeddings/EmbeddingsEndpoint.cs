using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Embeddings;
using Nexa.Server.Catalog;
using Nexa.Server.Http;
using Nexa.Server.Residency;

namespace Nexa.Server.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c>: parse and check the body, resolve the model (an embedder), hold it loaded and one of
/// its slots (the same residency, slots and queue as chat), embed, answer OpenAI's list in input order.
/// </summary>
internal sealed class EmbeddingsEndpoint(ModelCatalog catalog, ModelResidency residency, IHostApplicationLifetime lifetime)
{
    public async Task HandleAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync(http, ProtocolJsonContext.Wire.EmbeddingsRequest);
        var job = EmbeddingRequestMapper.Map(body);
        var model = catalog.Resolve(job.Model);
        ModelCatalog.EnsureCanEmbed(model, job.Model);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = cancel.Token;
        if (job.IsWarmUp)
        {
            await residency.WarmUpAsync(model, ct);
            if (job.WarmUpAnswersNull)
                await JsonReply.WriteNullAsync(http);
            else
                await JsonReply.WriteAsync(http, new EmbeddingList { Model = job.Model, Data = [], Usage = new EmbeddingUsage(0, 0) }, ProtocolJsonContext.Wire.EmbeddingList);
            return;
        }

        Engine.Embeddings.EmbeddingResult result;
        // The slot goes back before the (possibly large) answer is written.
        await using (var lease = await residency.AcquireAsync(model, forGeneration: true, ct))
            result = await lease.EmbedAsync(job.Request, ct);
        if (result.Vectors.Count != job.Request.Inputs.Count)
            throw new EngineException(EngineErrorKind.Internal, $"the engine returned {result.Vectors.Count} vectors for {job.Request.Inputs.Count} inputs");

        var list = new EmbeddingList
        {
            Model = job.Model,
            Data = [.. result.Vectors.Select((vector, i) => new EmbeddingItem { Index = i, Embedding = new EmbeddingVector(vector, job.Base64) })],
            Usage = new EmbeddingUsage(result.PromptTokens, result.PromptTokens),
        };
        await JsonReply.WriteAsync(http, list, ProtocolJsonContext.Wire.EmbeddingList);
    }
}
