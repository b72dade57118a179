using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Nexa.Protocol.Chat;

/// <summary>A message's content as OpenAI allows it: plain text, or a list of typed parts.</summary>
[JsonConverter(typeof(MessageContentConverter))]
public sealed record MessageContent
{
    private MessageContent(string? text, IReadOnlyList<ContentPart>? parts)
    {
        Text = text;
        Parts = parts;
    }

    /// <summary>Set when the content was a plain string.</summary>
    public string? Text { get; }

    /// <summary>Set when the content was an array of parts.</summary>
    public IReadOnlyList<ContentPart>? Parts { get; }

    public static MessageContent FromText(string text) => new(text, null);

    public static MessageContent FromParts(IReadOnlyList<ContentPart> parts) => new(null, parts);
}

/// <summary>Reads and writes <see cref="MessageContent"/> as a JSON string or an array of parts.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
    public override MessageContent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return MessageContent.FromText(reader.GetString()!);
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("expected a string or an array of content parts");
        try
        {
            return MessageContent.FromParts(JsonSerializer.Deserialize(ref reader, PartsInfo(options)) ?? []);
        }
        catch (JsonException e) when (e.InnerException is InvalidOperationException notText)
        {
            // A part's string that is not Unicode: rethrown without a path, so the outer reader names this content.
            throw new JsonException("the text is not valid Unicode", notText);
        }
        catch (JsonException e) when (e.Path is { } inner)
        {
            // The outer deserializer puts the path to this content on the exception; keep the part's own path in the message.
            throw new JsonException($"expected parts like {{\"type\":\"text\",\"text\":\"…\"}} (the part at content{inner.TrimStart('$')} is not)", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, MessageContent value, JsonSerializerOptions options)
    {
        if (value.Parts is { } parts)
            JsonSerializer.Serialize(writer, parts, PartsInfo(options));
        else
            writer.WriteStringValue(value.Text);
    }

    private static JsonTypeInfo<IReadOnlyList<ContentPart>> PartsInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<IReadOnlyList<ContentPart>>)options.GetTypeInfo(typeof(IReadOnlyList<ContentPart>));
}

/// <summary>OpenAI's <c>stop</c>: one string or a list of strings; written back as a list.</summary>
public sealed class StringOrListConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return [reader.GetString()!];
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("expected a string or an array of strings");
        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException("expected a string or an array of strings");
            items.Add(reader.GetString()!);
        }
        return items;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
            writer.WriteStringValue(item);
        writer.WriteEndArray();
    }
}
