using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Protocol.Embeddings;

/// <summary>The answer to <c>POST /v1/embeddings</c>, as OpenAI's <c>list</c> of <c>embedding</c> objects.</summary>
public sealed record EmbeddingList
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<EmbeddingItem> Data { get; init; }
    public required string Model { get; init; }
    public required EmbeddingUsage Usage { get; init; }
}

public sealed record EmbeddingItem
{
    public string Object { get; init; } = "embedding";
    public required int Index { get; init; }
    public required EmbeddingVector Embedding { get; init; }
}

public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);

/// <summary>One vector, written as a JSON array of numbers or, for <c>encoding_format: "base64"</c>, as OpenAI does it: the little-endian float32 bytes in base64.</summary>
[JsonConverter(typeof(EmbeddingVectorConverter))]
public sealed record EmbeddingVector(float[] Values, bool AsBase64)
{
    public string ToBase64()
    {
        var bytes = new byte[Values.Length * sizeof(float)];
        for (var i = 0; i < Values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), Values[i]);
        return Convert.ToBase64String(bytes);
    }
}

public sealed class EmbeddingVectorConverter : JsonConverter<EmbeddingVector>
{
    public override EmbeddingVector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var bytes = reader.GetBytesFromBase64();
            var values = new float[bytes.Length / sizeof(float)];
            for (var i = 0; i < values.Length; i++)
                values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
            return new EmbeddingVector(values, AsBase64: true);
        }
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("expected an array of numbers or a base64 string");
        var list = new List<float>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(reader.GetSingle());
        return new EmbeddingVector([.. list], AsBase64: false);
    }

    public override void Write(Utf8JsonWriter writer, EmbeddingVector value, JsonSerializerOptions options)
    {
        if (value.AsBase64)
        {
            writer.WriteStringValue(value.ToBase64());
            return;
        }
        writer.WriteStartArray();
        foreach (var x in value.Values)
            writer.WriteNumberValue(x);
        writer.WriteEndArray();
    }
}
