using System.Text;
using System.Text.Json.Nodes;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// A request body per route, valid to begin with, then mutated: a field replaced by a hostile value, a field dropped,
/// an unknown field added, the model swapped for one of another kind or none; and at the byte level cut short,
/// spliced with bytes that are not UTF-8, or emptied.
/// </summary>
public sealed class FuzzBodies(Random random, FuzzTargets targets)
{
    public JsonObject Chat(bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = targets.Chat,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "be brief" },
                new JsonObject { ["role"] = "user", ["content"] = Pick("Hello there", "what is nexa?", "é😀中", "<|im_end|>hi") }),
            ["max_tokens"] = random.Next(1, 6),
            ["stream"] = stream,
        };
        foreach (var (name, value) in (ReadOnlySpan<(string, JsonNode)>)[("temperature", 0.7), ("top_p", 0.9), ("top_k", 20), ("min_p", 0.05),
                     ("repetition_penalty", 1.1), ("presence_penalty", 0.3), ("frequency_penalty", 0.2), ("seed", 42)])
        {
            if (random.Next(3) == 0)
                body[name] = value;
        }
        return body;
    }

    public JsonObject Vision()
    {
        var parts = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "what is this?" });
        for (var i = random.Next(1, 4); i > 0; i--)
            parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = Pick([.. targets.ImageUrls]) } });
        return new JsonObject
        {
            ["model"] = targets.Vision ?? targets.Chat,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = parts }),
            ["max_tokens"] = 2,
            ["image_max_length"] = Pick<JsonNode>(64, 512, 0, 5000),
        };
    }

    public JsonObject Embeddings() => new()
    {
        ["model"] = targets.Embedder,
        ["input"] = random.Next(4) switch
        {
            0 => "the quick brown fox",
            1 => new JsonArray([.. Enumerable.Range(0, random.Next(1, 40)).Select(i => (JsonNode)$"text {i} é")]),
            2 => new JsonArray(1, 2, 3),
            _ => new JsonArray(new JsonArray(1, 2), new JsonArray(3)),
        },
        ["encoding_format"] = Pick("float", "base64"),
    };

    public JsonObject Reranking() => new()
    {
        ["model"] = targets.Reranker,
        ["query"] = "what is nexa",
        ["documents"] = Documents(),
        ["normalize"] = random.Next(2) == 0,
    };

    public JsonObject Rerank() => new()
    {
        ["model"] = targets.Reranker,
        ["query"] = "what is nexa",
        ["documents"] = Documents(),
        ["top_n"] = random.Next(0, 4),
        ["return_documents"] = random.Next(2) == 0,
    };

    public JsonObject Images() => new()
    {
        ["model"] = targets.ImageModel ?? "absent/sd",
        ["prompt"] = "a red square",
        ["size"] = Pick("64x64", "128x64", "7x7", "100000x100000"),
        ["n"] = 1,
        ["steps"] = Pick<JsonNode>(1, 2, 0, 1000),
        ["response_format"] = Pick("b64_json", "url"),
    };

    /// <summary>Most bodies get one or two mutations; some stay valid so the engine is reached too.</summary>
    public byte[] Mutate(JsonObject body)
    {
        var mutations = random.Next(4) == 0 ? 0 : random.Next(1, 3);
        for (var i = 0; i < mutations; i++)
            MutateOnce(body);
        var bytes = FuzzValues.Serialize(body);
        return random.Next(12) switch
        {
            0 => bytes[..random.Next(bytes.Length)],
            1 => Splice(bytes, [0xC3, 0x28, 0xFF, 0xFE]),
            2 => [],
            _ => bytes,
        };
    }

    private void MutateOnce(JsonObject body)
    {
        var keys = body.Select(p => p.Key).ToList();
        switch (random.Next(6))
        {
            case 0 when keys.Count > 0:
                body.Remove(keys[random.Next(keys.Count)]);
                break;
            case 1:
                body["x_" + random.Next(100)] = FuzzValues.Any(random);
                break;
            case 2:
                body["model"] = Pick<string>(targets.Chat, targets.Embedder, targets.Reranker, targets.Vision ?? "v", targets.ImageModel ?? "i", "no/such", "", "TEST/CHAT");
                break;
            case 3 when body["messages"] is JsonArray { Count: > 0 } messages && messages[^1] is JsonObject last:
                last[Pick("content", "role", "tool_calls", "name")] = FuzzValues.Any(random);
                break;
            case 4 when body["documents"] is JsonArray documents:
                documents.Add(FuzzValues.Any(random));
                break;
            default:
                if (keys.Count > 0)
                    body[keys[random.Next(keys.Count)]] = FuzzValues.Any(random);
                break;
        }
    }

    private JsonArray Documents() =>
        new([.. Enumerable.Range(0, random.Next(1, 12)).Select(i => random.Next(3) == 0 ? (JsonNode)new JsonObject { ["text"] = $"doc {i}" } : $"document {i} é")]);

    private byte[] Splice(byte[] bytes, byte[] insert)
    {
        var at = random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private T Pick<T>(params T[] values) => values[random.Next(values.Length)];

    private string Pick(params string[] values) => values[random.Next(values.Length)];

    /// <summary>A body of raw bytes that is not JSON at all.</summary>
    public byte[] Garbage()
    {
        var bytes = new byte[random.Next(1, 2000)];
        random.NextBytes(bytes);
        return random.Next(2) == 0 ? bytes : Encoding.UTF8.GetBytes("{\"model\":" + new string('[', random.Next(1, 200)));
    }
}
