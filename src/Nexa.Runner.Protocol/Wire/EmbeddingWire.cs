using Nexa.Engine.Embeddings;
using Nexa.Runner.Protos;
using EngineRerankRequest = Nexa.Engine.Embeddings.RerankRequest;
using WireEmbeddingInfo = Nexa.Runner.Protos.EmbeddingInfo;
using WireKind = Nexa.Runner.Protos.EmbeddingModelKind;
using WirePooling = Nexa.Runner.Protos.EmbeddingPooling;
using WireRerankRequest = Nexa.Runner.Protos.RerankRequest;
using WireTask = Nexa.Runner.Protos.EmbeddingTask;

namespace Nexa.Runner.Wire;

/// <summary>Embedding and rerank types ↔ protobuf messages, both directions. Floats cross as IEEE singles: exactly.</summary>
internal static class EmbeddingWire
{
    public static EmbedRequest ToWire(EmbeddingRequest request)
    {
        var wire = new EmbedRequest
        {
            Task = request.Task switch
            {
                Engine.Embeddings.EmbeddingTask.SearchQuery => WireTask.SearchQuery,
                Engine.Embeddings.EmbeddingTask.SearchDocument => WireTask.SearchDocument,
                _ => WireTask.Default,
            },
            Truncate = request.Truncate,
        };
        if (request.Dimensions is { } dimensions)
            wire.Dimensions = dimensions;
        foreach (var input in request.Inputs)
        {
            var wireInput = new EmbedInput();
            if (input?.Text is { } text)
                wireInput.Text = text;
            else if (input?.Tokens is { } tokens)
                wireInput.Tokens = new TokenList { Ids = { tokens } };
            wire.Inputs.Add(wireInput);
        }
        return wire;
    }

    public static EmbeddingRequest FromWire(EmbedRequest wire) => new()
    {
        // An input with both set cannot be sent (oneof); one with neither reaches the engine, which refuses it by index.
        Inputs = [.. wire.Inputs.Select(i => i.InputCase switch
        {
            EmbedInput.InputOneofCase.Text => EmbeddingInput.FromText(i.Text),
            EmbedInput.InputOneofCase.Tokens => EmbeddingInput.FromTokens([.. i.Tokens.Ids]),
            _ => new EmbeddingInput(),
        })],
        Task = wire.Task switch
        {
            WireTask.SearchQuery => Engine.Embeddings.EmbeddingTask.SearchQuery,
            WireTask.SearchDocument => Engine.Embeddings.EmbeddingTask.SearchDocument,
            _ => Engine.Embeddings.EmbeddingTask.Default,
        },
        Truncate = wire.Truncate,
        Dimensions = wire.HasDimensions ? wire.Dimensions : null,
    };

    public static EmbedReply ToWire(EmbeddingResult result)
    {
        var reply = new EmbedReply { PromptTokens = result.PromptTokens };
        foreach (var vector in result.Vectors)
            reply.Vectors.Add(new Vector { Values = { vector } });
        return reply;
    }

    public static EmbeddingResult FromWire(EmbedReply wire) => new([.. wire.Vectors.Select(v => v.Values.ToArray())], wire.PromptTokens);

    public static WireRerankRequest ToWire(EngineRerankRequest request)
    {
        var wire = new WireRerankRequest { Query = request.Query, Truncate = request.Truncate };
        wire.Documents.AddRange(request.Documents);
        if (request.BatchSize is { } batchSize)
            wire.BatchSize = batchSize;
        return wire;
    }

    public static EngineRerankRequest FromWire(WireRerankRequest wire) => new()
    {
        Query = wire.Query,
        Documents = [.. wire.Documents],
        BatchSize = wire.HasBatchSize ? wire.BatchSize : null,
        Truncate = wire.Truncate,
    };

    public static RerankReply ToWire(RerankResult result) => new() { Scores = { result.Scores }, PromptTokens = result.PromptTokens };

    public static RerankResult FromWire(RerankReply wire) => new([.. wire.Scores], wire.PromptTokens);

    public static WireEmbeddingInfo ToWire(EmbeddingModelInfo info) => new()
    {
        Kind = info.Kind == Engine.Embeddings.EmbeddingModelKind.Reranker ? WireKind.Reranker : WireKind.Embedder,
        Dimensions = info.Dimensions,
        Pooling = (WirePooling)(int)info.Pooling,
        MaxInputTokens = info.MaxInputTokens,
    };

    public static EmbeddingModelInfo FromWire(WireEmbeddingInfo wire) => new(
        wire.Kind == WireKind.Reranker ? Engine.Embeddings.EmbeddingModelKind.Reranker : Engine.Embeddings.EmbeddingModelKind.Embedder,
        wire.Dimensions,
        (Engine.Embeddings.EmbeddingPooling)(int)wire.Pooling,
        wire.MaxInputTokens);
}
