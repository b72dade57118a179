using System.Text.Json;
using Nexa.Engine.Embeddings;
using Nexa.Protocol.Embeddings;
using Nexa.Server.Errors;
using Nexa.Server.Http;

namespace Nexa.Server.Embeddings;

/// <summary>
/// Checks an OpenAI embeddings request and translates it into the engine's <see cref="EmbeddingRequest"/>.
/// <c>input</c> is read by hand so that a bad item is named by its index (<c>input[3]</c>), as OpenAI does.
/// </summary>
internal static class EmbeddingRequestMapper
{
    /// <summary>OpenAI's limit on inputs per request; more is refused before anything is loaded.</summary>
    public const int MaxInputs = 2048;

    private const string InputShapes = "a string, an array of strings, an array of token ids, or an array of arrays of token ids";

    public static EmbeddingJob Map(EmbeddingsRequest body)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
            throw Fail(ErrorTable.MissingParameter("model"));
        var inputs = Inputs(body.Input);
        if (body.Dimensions is < 1)
            throw Fail(ErrorTable.InvalidValue("dimensions", "must be at least 1"));
        return new EmbeddingJob
        {
            Model = body.Model,
            Base64 = body.EncodingFormat switch
            {
                null or "float" => false,
                "base64" => true,
                _ => throw Fail(ErrorTable.InvalidValue("encoding_format", "must be 'float' or 'base64'")),
            },
            Request = new EmbeddingRequest
            {
                Inputs = inputs,
                Dimensions = body.Dimensions,
                Truncate = body.Truncate ?? false,
                Task = body.TaskType switch
                {
                    null or "default" => EmbeddingTask.Default,
                    "search_query" => EmbeddingTask.SearchQuery,
                    "search_document" => EmbeddingTask.SearchDocument,
                    _ => throw Fail(ErrorTable.InvalidValue("task_type", "must be 'default', 'search_query' or 'search_document'")),
                },
            },
            IsWarmUp = inputs.Count == 0,
            WarmUpAnswersNull = body.EncodingFormat is null,
        };
    }

    private static List<EmbeddingInput> Inputs(JsonElement? input)
    {
        if (input is not { ValueKind: not JsonValueKind.Null } value)
            throw Fail(ErrorTable.MissingParameter("input"));
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return [EmbeddingInput.FromText(Text(value, "input"))];
            case JsonValueKind.Array:
                break;
            default:
                throw Fail(ErrorTable.WrongType("input", InputShapes));
        }

        var count = value.GetArrayLength();
        if (count == 0)
            return []; // the warm-up
        var first = value[0];
        if (first.ValueKind == JsonValueKind.Number)
            return [EmbeddingInput.FromTokens(Tokens(value, "input"))]; // one input, already tokenised
        if (count > MaxInputs)
            throw Fail(ErrorTable.TooManyItems("input", count, MaxInputs));

        var inputs = new List<EmbeddingInput>(count);
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var param = $"input[{i++}]";
            inputs.Add(first.ValueKind switch
            {
                JsonValueKind.String when item.ValueKind == JsonValueKind.String => EmbeddingInput.FromText(Text(item, param)),
                JsonValueKind.String => throw Fail(ErrorTable.WrongType(param, "a string, as input[0] is")),
                JsonValueKind.Array when item.ValueKind == JsonValueKind.Array => EmbeddingInput.FromTokens(Tokens(item, param)),
                JsonValueKind.Array => throw Fail(ErrorTable.WrongType(param, "an array of token ids, as input[0] is")),
                _ => throw Fail(ErrorTable.WrongType(param, "a string, a token id or an array of token ids")),
            });
        }
        return inputs;
    }

    private static string Text(JsonElement value, string param)
    {
        var text = RequestBody.Text(value, param);
        return text.Length == 0 ? throw Fail(ErrorTable.EmptyText(param)) : text;
    }

    private static int[] Tokens(JsonElement array, string param)
    {
        var tokens = new int[array.GetArrayLength()];
        if (tokens.Length == 0)
            throw Fail(ErrorTable.EmptyText(param));
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemParam = $"{param}[{i}]";
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var token))
                throw Fail(ErrorTable.WrongType(itemParam, "a token id (an integer)"));
            if (token < 0)
                throw Fail(ErrorTable.InvalidValue(itemParam, "a token id is 0 or more"));
            tokens[i++] = token;
        }
        return tokens;
    }

    private static ApiException Fail(ApiError error) => new(error);
}
