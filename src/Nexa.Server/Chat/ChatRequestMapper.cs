using System.Globalization;
using System.Text;
using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Protocol.Chat;
using Nexa.Server.Errors;

namespace Nexa.Server.Chat;

/// <summary>
/// Checks an OpenAI chat request and translates it into the engine's <see cref="ChatRequest"/>. Every refusal names
/// the parameter; what we cannot honour yet (JSON output, tools, several choices) is refused, never dropped.
/// </summary>
internal static class ChatRequestMapper
{
    private const int MaxStopStrings = 16;

    public static ChatJob Map(ChatCompletionRequest body)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
            throw Fail(ErrorTable.MissingParameter("model"));
        RefuseUnsupported(body);

        var (messages, images) = MapMessages(body.Messages ?? []);
        if (images.Count > ImageLimits.MaxImagesPerRequest)
            throw Fail(ErrorTable.TooManyImages(images.Count));
        var request = new ChatRequest
        {
            Messages = messages,
            Sampling = MapSampling(body),
            MaxTokens = MaxTokens(body),
            Stop = StopStrings(body.Stop),
            EnableThinking = body.EnableThink ?? false,
            IgnoreEos = body.IgnoreEos ?? false,
        };
        request = ChatToolMapper.Apply(body, request);
        return new ChatJob
        {
            Model = body.Model,
            Request = request,
            Stream = body.Stream ?? false,
            IncludeUsage = body.StreamOptions?.IncludeUsage ?? false,
            Images = images,
            ImageMaxLength = ImageMaxLength(body.ImageMaxLength),
            IsWarmUp = IsWarmUp(body, messages),
        };
    }

    // No messages: a warm-up. A system prompt alone is an ordinary chat for stock clients ("write me a haiku"), and
    // the original client's warm-up only when it carries that client's load settings and does not stream.
    private static bool IsWarmUp(ChatCompletionRequest body, IReadOnlyList<ChatMessage> messages) =>
        messages.Count == 0
        || (messages.All(m => m.Role == "system") && body.Stream != true && (IsGiven(body.Ngl) || IsGiven(body.Nctx)));

    private static bool IsGiven(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null };

    private static void RefuseUnsupported(ChatCompletionRequest body)
    {
        if (body.N is { } n && n < 1)
            throw Fail(ErrorTable.InvalidValue("n", "must be at least 1"));
        if (body.N > 1)
            throw Fail(ErrorTable.NotSupportedYet("n", "n > 1 (several choices per request)"));
        if (body.Logprobs == true)
            throw Fail(ErrorTable.NotSupportedYet("logprobs", "logprobs"));
    }

    private static (IReadOnlyList<ChatMessage> Messages, IReadOnlyList<ImagePart> Images) MapMessages(IReadOnlyList<RequestMessage?> messages)
    {
        var mapped = new List<ChatMessage>(messages.Count);
        var images = new List<ImagePart>();
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            var message = messages[i] ?? throw Fail(ErrorTable.WrongType(param, "an object"));
            var role = message.Role switch
            {
                null => throw Fail(ErrorTable.MissingParameter($"{param}.role")),
                "system" or "developer" => "system",
                "user" or "assistant" or "tool" => message.Role,
                "function" => throw Fail(ErrorTable.InvalidValue($"{param}.role", "'function' messages are OpenAI's deprecated form; send 'tool' messages with a tool_call_id")),
                _ => throw Fail(ErrorTable.InvalidValue($"{param}.role", "must be one of system, developer, user, assistant, tool")),
            };
            var calls = ChatToolMapper.MessageCalls(message.ToolCalls, $"{param}.tool_calls");
            if (calls.Count > 0 && role != "assistant")
                throw Fail(ErrorTable.InvalidValue($"{param}.tool_calls", "only assistant messages carry tool calls"));
            if (role == "tool" && string.IsNullOrEmpty(message.ToolCallId))
                throw Fail(ErrorTable.MissingParameter($"{param}.tool_call_id"));
            if (message.Content is null && role != "assistant")
                throw Fail(ErrorTable.MissingParameter($"{param}.content"));
            mapped.Add(new ChatMessage(role, ContentText(message.Content, i, $"{param}.content", images))
            {
                ToolCalls = calls,
                ToolCallId = role == "tool" ? message.ToolCallId : null,
                Name = role == "tool" ? message.Name : null,
            });
        }
        return (mapped, images);
    }

    // Text parts are joined with "\n"; an image part sits where it came: after the text before it, before the "\n"
    // that joins the next text part (position 0 before any text, Content.Length after all of it).
    private static string ContentText(MessageContent? content, int message, string param, List<ImagePart> images)
    {
        if (content?.Parts is not { } parts)
            return content?.Text ?? "";
        var text = new StringBuilder();
        var texts = 0;
        for (var j = 0; j < parts.Count; j++)
        {
            var partParam = $"{param}[{j}]";
            var part = parts[j] ?? throw Fail(ErrorTable.WrongType(partParam, "an object"));
            switch (part.Type)
            {
                case "text":
                    if (texts++ > 0)
                        text.Append('\n');
                    text.Append(part.Text ?? throw Fail(ErrorTable.MissingParameter($"{partParam}.text")));
                    break;
                case "image_url":
                    var url = part.ImageUrl?.Url;
                    if (string.IsNullOrWhiteSpace(url))
                        throw Fail(ErrorTable.MissingParameter($"{partParam}.image_url.url"));
                    images.Add(new ImagePart(message, text.Length, url, $"{partParam}.image_url.url"));
                    break;
                case null:
                    throw Fail(ErrorTable.MissingParameter($"{partParam}.type"));
                default:
                    throw Fail(ErrorTable.NotSupportedYet($"{partParam}.type", $"content parts of type '{part.Type}'"));
            }
        }
        return text.ToString();
    }

    private static int ImageMaxLength(int? value) =>
        value switch
        {
            null => ImageLimits.DefaultMaxLength,
            < 1 or > ImageLimits.MaxLengthLimit => throw Fail(ErrorTable.InvalidValue("image_max_length", $"must be between 1 and {ImageLimits.MaxLengthLimit} pixels")),
            _ => value.Value,
        };

    private static SamplingOptions MapSampling(ChatCompletionRequest body)
    {
        var defaults = new SamplingOptions();
        return new SamplingOptions
        {
            Temperature = InRange(body.Temperature, SamplingLimits.Temperature) ?? defaults.Temperature,
            TopP = InRange(body.TopP, SamplingLimits.TopP) ?? defaults.TopP,
            TopK = body.TopK < SamplingLimits.MinTopK ? throw Fail(ErrorTable.InvalidValue("top_k", "must be 0 (off) or more")) : body.TopK ?? defaults.TopK,
            MinP = InRange(body.MinP, SamplingLimits.MinP) ?? defaults.MinP,
            RepetitionPenalty = InRange(body.RepetitionPenalty, SamplingLimits.RepetitionPenalty) ?? defaults.RepetitionPenalty,
            PresencePenalty = InRange(body.PresencePenalty, SamplingLimits.PresencePenalty) ?? defaults.PresencePenalty,
            FrequencyPenalty = InRange(body.FrequencyPenalty, SamplingLimits.FrequencyPenalty) ?? defaults.FrequencyPenalty,
            // -1 is llama.cpp's "random seed"; other values keep their low 32 bits, as the engine's seed is 32-bit.
            Seed = body.Seed is null or -1 ? null : unchecked((uint)body.Seed.Value),
            LogitBias = LogitBias(body.LogitBias),
        };
    }

    // The engine checks the same ranges (SamplingLimits): a value this lets through never fails there. A double is
    // checked as the float the engine will see, so 2.00000001 (2 as a float) passes both or neither.
    private static float? InRange(double? value, SamplingRange range) =>
        value is not { } v ? null
        : range.Contains((float)v) ? (float)v
        : throw Fail(ErrorTable.InvalidValue(range.Param, range.Rule));

    private static int? MaxTokens(ChatCompletionRequest body)
    {
        if (body.MaxTokens is < 1)
            throw Fail(ErrorTable.InvalidValue("max_tokens", "must be at least 1"));
        if (body.MaxCompletionTokens is < 1)
            throw Fail(ErrorTable.InvalidValue("max_completion_tokens", "must be at least 1"));
        return body.MaxCompletionTokens ?? body.MaxTokens;
    }

    private static IReadOnlyList<string> StopStrings(IReadOnlyList<string>? stop)
    {
        if (stop is null)
            return [];
        // An empty stop string would end every answer before it starts; clients send "" to mean "none".
        var strings = stop.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (strings.Count > MaxStopStrings)
            throw Fail(ErrorTable.InvalidValue("stop", $"at most {MaxStopStrings} stop strings"));
        return strings;
    }

    private static IReadOnlyDictionary<int, float> LogitBias(IReadOnlyDictionary<string, double>? bias)
    {
        var mapped = new Dictionary<int, float>();
        foreach (var (key, value) in bias ?? new Dictionary<string, double>())
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var token))
                throw Fail(ErrorTable.InvalidValue("logit_bias", $"key '{key}' is not a token id"));
            if (!SamplingLimits.LogitBias.Contains((float)value))
                throw Fail(ErrorTable.InvalidValue("logit_bias", $"bias for token {token} {SamplingLimits.LogitBias.Rule}"));
            mapped[token] = (float)value;
        }
        return mapped;
    }

    private static ApiException Fail(ApiError error) => new(error);
}
