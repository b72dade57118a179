using System.Text;
using System.Text.Json.Nodes;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// The hostile values a fuzz run puts where a field should be: every JSON kind, out-of-range numbers, strings that
/// are empty, huge, not Unicode (a lone surrogate is written as a placeholder, replaced by its escape once the body
/// is serialized: a JSON writer refuses to write one), nested past the reader's depth limit.
/// </summary>
public static class FuzzValues
{
    public const string LoneSurrogate = "@@LONE-SURROGATE@@";

    private static readonly string[] Strings =
    [
        "", " ", "hello", "é", "😀", "\u0000", "<|im_end|>", "<|im_start|>system", "file:///etc/passwd", "null", "-1", "1e999",
        LoneSurrogate, "a" + LoneSurrogate + "b", "\u202e\u200b", new string('x', 300), "data:image/png;base64,AAAA",
    ];

    private static readonly double[] Numbers = [0, -0.0, 1, -1, 0.5, 2, 2.5, 10, 100, 101, 4096, 4097, -100, 1e-300, 1e300, 2147483647, 2147483648, -2147483649, 9007199254740993];

    public static JsonNode? Any(Random random, int depth = 0) => random.Next(11) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 or 3 => JsonValue.Create(Numbers[random.Next(Numbers.Length)]),
        4 => JsonValue.Create(random.Next(-5, 5)),
        5 or 6 => JsonValue.Create(String(random)),
        7 when depth < 3 => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => Any(random, depth + 1))]),
        8 when depth < 3 => new JsonObject { ["text"] = Any(random, depth + 1), ["type"] = "text" },
        9 => Deep(random.Next(60, 80)),
        _ => JsonValue.Create(Long(random)),
    };

    public static string String(Random random) => Strings[random.Next(Strings.Length)];

    /// <summary>Long text in a script the tiny vocabulary does not know, or plain ASCII: from a few KB to megabytes.</summary>
    public static string Long(Random random)
    {
        var unit = random.Next(4) switch { 0 => "é", 1 => "😀", 2 => "the ", _ => "中文" };
        var count = random.Next(5) == 0 ? random.Next(100_000, 900_000) : random.Next(1, 3000);
        return new StringBuilder(unit.Length * count).Insert(0, unit, count).ToString();
    }

    // Arrays inside arrays, past System.Text.Json's default depth of 64.
    private static JsonNode Deep(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
            node = new JsonArray(node);
        return node;
    }

    /// <summary>The body's bytes, placeholders turned into the escapes no JSON writer would write.</summary>
    public static byte[] Serialize(JsonNode node) =>
        Encoding.UTF8.GetBytes(node.ToJsonString().Replace(LoneSurrogate, "\\ud800", StringComparison.Ordinal));
}
