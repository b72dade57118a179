using System.Text.Json;
using Nexa.Engine.Embeddings;
using Nexa.Protocol.Rerank;
using Nexa.Server.Errors;
using Nexa.Server.Http;

namespace Nexa.Server.Rerank;

/// <summary>
/// Checks the two rerank bodies (the original's <c>/v1/reranking</c>, the Jina / Cohere <c>/v1/rerank</c>) and
/// translates them into the engine's <see cref="RerankRequest"/>. Documents may be strings or <c>{"text": …}</c>.
/// </summary>
internal static class RerankRequestMapper
{
    /// <summary>Documents per request; more is refused before anything is loaded.</summary>
    public const int MaxDocuments = 2048;

    /// <summary>
    /// The original's body. <c>normalize</c> defaults to false (raw scores), as the original's server; with
    /// <c>normalize: true</c> the method defaults to <c>softmax</c>. Neither query nor documents: a warm-up.
    /// </summary>
    public static RerankJob MapReranking(RerankingRequest body)
    {
        var model = Model(body.Model);
        var query = body.Query ?? "";
        var documents = Documents(body.Documents);
        var method = Method(body.NormalizeMethod);
        if (body.BatchSize is < 0)
            throw Fail(ErrorTable.InvalidValue("batch_size", "must be 0 (as many as fit) or more"));
        if (query.Length == 0 && documents.Count > 0)
            throw Fail(ErrorTable.RerankHalfEmpty("query"));
        if (query.Length > 0 && documents.Count == 0)
            throw Fail(ErrorTable.RerankHalfEmpty("documents"));
        return new RerankJob
        {
            Model = model,
            Request = new RerankRequest
            {
                Query = query,
                Documents = documents,
                // 0 is the original's "not set".
                BatchSize = body.BatchSize is > 0 ? body.BatchSize : null,
                Truncate = body.Truncate ?? false,
            },
            Normalization = body.Normalize == true ? method ?? ScoreNormalization.Softmax : ScoreNormalization.None,
            IsWarmUp = query.Length == 0 && documents.Count == 0,
        };
    }

    /// <summary>
    /// The Jina / Cohere body, as llama-server reads it: query and documents required, <c>top_n</c> absent or 0
    /// for all, <c>return_documents</c> false unless asked (llama-server never returns them).
    /// </summary>
    public static RerankJob MapRerank(JinaRerankRequest body)
    {
        var model = Model(body.Model);
        if (body.Query is null)
            throw Fail(ErrorTable.MissingParameter("query"));
        if (body.Query.Length == 0)
            throw Fail(ErrorTable.EmptyText("query"));
        if (body.Documents is not { ValueKind: not JsonValueKind.Null })
            throw Fail(ErrorTable.MissingParameter("documents"));
        var documents = Documents(body.Documents);
        if (documents.Count == 0)
            throw Fail(ErrorTable.InvalidValue("documents", "must hold at least one document"));
        if (body.TopN is < 0)
            throw Fail(ErrorTable.InvalidValue("top_n", "must be 0 (all) or more"));
        return new RerankJob
        {
            Model = model,
            Request = new RerankRequest { Query = body.Query, Documents = documents, Truncate = body.Truncate ?? false },
            TopN = body.TopN is > 0 ? body.TopN : null,
            ReturnDocuments = body.ReturnDocuments ?? false,
        };
    }

    private static string Model(string? model) =>
        string.IsNullOrWhiteSpace(model) ? throw Fail(ErrorTable.MissingParameter("model")) : model;

    private static ScoreNormalization? Method(string? method) => method switch
    {
        null or "" => null,
        "softmax" => ScoreNormalization.Softmax,
        "linear" or "min-max" or "minmax" => ScoreNormalization.Linear,
        "none" => ScoreNormalization.None,
        _ => throw Fail(ErrorTable.InvalidValue("normalize_method", "must be 'softmax', 'linear' (or 'min-max') or 'none'")),
    };

    private static List<string> Documents(JsonElement? documents)
    {
        if (documents is not { ValueKind: not JsonValueKind.Null } value)
            return [];
        if (value.ValueKind != JsonValueKind.Array)
            throw Fail(ErrorTable.WrongType("documents", "an array of strings"));
        var count = value.GetArrayLength();
        if (count > MaxDocuments)
            throw Fail(ErrorTable.TooManyItems("documents", count, MaxDocuments));
        var texts = new List<string>(count);
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var param = $"documents[{i++}]";
            texts.Add(item.ValueKind switch
            {
                JsonValueKind.String => RequestBody.Text(item, param),
                JsonValueKind.Object when item.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String => RequestBody.Text(text, param),
                _ => throw Fail(ErrorTable.WrongType(param, "a string or an object with a \"text\" string")),
            });
        }
        return texts;
    }

    private static ApiException Fail(ApiError error) => new(error);
}
