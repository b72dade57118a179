using Microsoft.AspNetCore.Http;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Embeddings;
using Nexa.Protocol.Rerank;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Rerank;

/// <summary>
/// The two rerank routes over one engine call: <c>POST /v1/reranking</c> (the original's body; scores in document
/// order, normalised as asked) and <c>POST /v1/rerank</c> (Jina / Cohere; raw scores, highest first, cut to
/// <c>top_n</c>). Both need a reranker and share residency, slots and queue with chat.
/// </summary>
internal sealed class RerankEndpoint(ModelPipeline pipeline)
{
    public Task HandleRerankingAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.RerankingRequest, RerankRequestMapper.MapReranking, async call =>
        {
            var result = await ScoreAsync(call);
            var scores = ScoreNormalizer.Apply(result.Scores, call.Job.Normalization);
            await JsonReply.WriteAsync(http, new RerankingResponse(scores), ProtocolJsonContext.Wire.RerankingResponse);
        });

    public Task HandleRerankAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.JinaRerankRequest, RerankRequestMapper.MapRerank, async call =>
        {
            var job = call.Job;
            var result = await ScoreAsync(call);
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
        });

    private static async Task<RerankResult> ScoreAsync(ModelCall<RerankJob> call)
    {
        var request = call.Job.Request;
        RerankResult result;
        await using (var lease = await call.LeaseAsync())
            result = await lease.RerankAsync(request, call.Ct);
        if (result.Scores.Count != request.Documents.Count)
            throw new EngineException(EngineErrorKind.Internal, $"the engine returned {result.Scores.Count} scores for {request.Documents.Count} documents");
        return result;
    }
}
