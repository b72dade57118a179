using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Embeddings;
using Nexa.Protocol.Rerank;
using Nexa.Server.Catalog;
using Nexa.Server.Http;
using Nexa.Server.Residency;

namespace Nexa.Server.Rerank;

/// <summary>
/// The two rerank routes over one engine call: <c>POST /v1/reranking</c> (the original's body; scores in document
/// order, normalised as asked) and <c>POST /v1/rerank</c> (Jina / Cohere; raw scores, highest first, cut to
/// <c>top_n</c>). Both need a reranker and share residency, slots and queue with chat.
/// </summary>
internal sealed class RerankEndpoint(ModelCatalog catalog, ModelResidency residency, IHostApplicationLifetime lifetime)
{
    public async Task HandleRerankingAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync(http, ProtocolJsonContext.Wire.RerankingRequest);
        var job = RerankRequestMapper.MapReranking(body);
        var result = await ScoreAsync(http, job);
        if (result is null)
            return;
        var scores = ScoreNormalizer.Apply(result.Scores, job.Normalization);
        await JsonReply.WriteAsync(http, new RerankingResponse(scores), ProtocolJsonContext.Wire.RerankingResponse);
    }

    public async Task HandleRerankAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync(http, ProtocolJsonContext.Wire.JinaRerankRequest);
        var job = RerankRequestMapper.MapRerank(body);
        var result = await ScoreAsync(http, job);
        if (result is null)
            return;
        var documents = job.Request.Documents;
        // Highest first; equal scores keep the documents' order (OrderBy is stable).
        var ranked = result.Scores
            .Select((score, index) => new JinaRerankResult
            {
                Index = index,
                RelevanceScore = score,
                Document = job.ReturnDocuments ? new JinaRerankDocument(documents[index]) : null,
            })
            .OrderByDescending(r => r.RelevanceScore)
            .Take(job.TopN ?? documents.Count);
        var response = new JinaRerankResponse
        {
            Model = job.Model,
            Results = [.. ranked],
            Usage = new EmbeddingUsage(result.PromptTokens, result.PromptTokens),
        };
        await JsonReply.WriteAsync(http, response, ProtocolJsonContext.Wire.JinaRerankResponse);
    }

    // Resolves, checks and scores; null when the request was a warm-up (already answered).
    private async Task<RerankResult?> ScoreAsync(HttpContext http, RerankJob job)
    {
        var model = catalog.Resolve(job.Model);
        ModelCatalog.EnsureCanRerank(model, job.Model);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = cancel.Token;
        if (job.IsWarmUp)
        {
            await residency.WarmUpAsync(model, ct);
            await JsonReply.WriteNullAsync(http);
            return null;
        }

        RerankResult result;
        await using (var lease = await residency.AcquireAsync(model, forGeneration: true, ct))
            result = await lease.RerankAsync(job.Request, ct);
        if (result.Scores.Count != job.Request.Documents.Count)
            throw new EngineException(EngineErrorKind.Internal, $"the engine returned {result.Scores.Count} scores for {job.Request.Documents.Count} documents");
        return result;
    }
}
