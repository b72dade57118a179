using Microsoft.AspNetCore.Http;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Embeddings;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: embed with an embedder, answer OpenAI's list in input order.</summary>
internal sealed class EmbeddingsEndpoint(ModelPipeline pipeline)
{
    public Task HandleAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.EmbeddingsRequest, EmbeddingRequestMapper.Map, async call =>
        {
            var job = call.Job;
            EmbeddingResult result;
            // The slot goes back before the (possibly large) answer is written.
            await using (var lease = await call.LeaseAsync())
                result = await lease.EmbedAsync(job.Request, call.Ct);
            if (result.Vectors.Count != job.Request.Inputs.Count)
                throw new EngineException(EngineErrorKind.Internal, $"the engine returned {result.Vectors.Count} vectors for {job.Request.Inputs.Count} inputs");

            var list = new EmbeddingList
            {
                Model = job.Model,
                Data = [.. result.Vectors.Select((vector, i) => new EmbeddingItem { Index = i, Embedding = new EmbeddingVector(vector, job.Base64) })],
                Usage = new EmbeddingUsage(result.PromptTokens, result.PromptTokens),
            };
            await JsonReply.WriteAsync(http, list, ProtocolJsonContext.Wire.EmbeddingList);
        },
        // The original's client sends [] to load the model and reads null; a stock client sending [] reads an empty list.
        warmUp: call => call.Job.WarmUpAnswersNull
            ? JsonReply.WriteNullAsync(http)
            : JsonReply.WriteAsync(http, new EmbeddingList { Model = call.Job.Model, Data = [], Usage = new EmbeddingUsage(0, 0) }, ProtocolJsonContext.Wire.EmbeddingList));
}
