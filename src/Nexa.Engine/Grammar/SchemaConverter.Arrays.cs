using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

internal sealed partial class SchemaConverter
{
    // Counts above this are written as several bounded repetitions (llama.cpp refuses one above 2000 rules).
    private const int RepetitionChunk = 500;

    // The most items or characters a bound may ask for: the grammar grows with it.
    private const int MaxBound = 20_000;

    private string ArrayRule(JsonObject o, string path, string hint)
    {
        var prefix = new List<string>();
        string? rest;
        string restPath;
        if (o["items"] is JsonArray tuple)
        {
            // Draft 4–7: an items array is the tuple, additionalItems the rest.
            if (o.ContainsKey("prefixItems"))
            {
                throw Fail($"{path}/items", "an items array together with prefixItems is not supported");
            }

            for (var i = 0; i < tuple.Count; i++)
            {
                prefix.Add(Visit(tuple[i], $"{path}/items/{i}", $"{hint}-{i}", []));
            }

            restPath = $"{path}/additionalItems";
            rest = ItemSchema(o, "additionalItems", restPath, $"{hint}-item");
        }
        else
        {
            if (o.ContainsKey("additionalItems"))
            {
                throw Fail($"{path}/additionalItems", "additionalItems is only supported with an items array");
            }

            if (o.ContainsKey("prefixItems"))
            {
                if (o["prefixItems"] is not JsonArray items)
                {
                    throw Fail($"{path}/prefixItems", "prefixItems must be an array of schemas");
                }

                for (var i = 0; i < items.Count; i++)
                {
                    prefix.Add(Visit(items[i], $"{path}/prefixItems/{i}", $"{hint}-{i}", []));
                }
            }

            restPath = $"{path}/items";
            rest = ItemSchema(o, "items", restPath, $"{hint}-item");
        }

        var min = Count(o, "minItems", path) ?? 0;
        var max = Count(o, "maxItems", path);
        if (max is { } most && most < prefix.Count)
        {
            // maxItems cuts the tuple short: the later prefix items can never appear.
            prefix.RemoveRange(most, prefix.Count - most);
            rest = null;
        }

        if (rest is null)
        {
            max = Math.Min(max ?? prefix.Count, prefix.Count);
        }

        if (max < min)
        {
            throw Fail($"{path}/minItems", $"minItems {min} is more than the array may hold ({max})");
        }

        if (max > MaxBound || min > MaxBound)
        {
            throw Fail($"{path}/{(min > MaxBound ? "minItems" : "maxItems")}", $"item counts above {MaxBound} are not supported");
        }

        var ws = Primitive("ws");
        string Item(string rule) => $"{rule} {ws}";
        string body;
        if (prefix.Count == 0)
        {
            if (rest is null || max == 0)
            {
                body = "";
            }
            else
            {
                var more = Repeat($"(\",\" {ws} {Item(rest)})", Math.Max(min - 1, 0), max - 1);
                body = more.Length == 0 ? Item(rest) : $"{Item(rest)} {more}";
                if (min == 0)
                {
                    body = $"({body})?";
                }
            }
        }
        else
        {
            // Prefix items nest: item i+1 can only follow item i; after the prefix, the rest repeat.
            var after = rest is null ? "" : Repeat($"(\",\" {ws} {Item(rest)})", Math.Max(min - prefix.Count, 0), max - prefix.Count);
            body = after;
            for (var i = prefix.Count - 1; i >= 0; i--)
            {
                var content = body.Length == 0 ? Item(prefix[i]) : $"{Item(prefix[i])} {body}";
                var comma = i == 0 ? content : $"\",\" {ws} {content}";
                body = i < min ? comma : $"({comma})?";
            }
        }

        return Rule(hint, $"\"[\" {ws} {body} \"]\"".Replace("  ", " ", StringComparison.Ordinal));
    }

    // The schema of items beyond the prefix: null when none may follow.
    private string? ItemSchema(JsonObject o, string keyword, string path, string hint) => o[keyword] switch
    {
        null when !o.ContainsKey(keyword) => Primitive("value"),
        JsonValue v when v.TryGetValue<bool>(out var allowed) => allowed ? Primitive("value") : null,
        JsonObject schema => Visit(schema, path, hint, []),
        _ => throw Fail(path, $"{keyword} must be a schema"),
    };

    private static int? Count(JsonObject o, string keyword, string path)
    {
        if (!o.ContainsKey(keyword))
        {
            return null;
        }

        return o[keyword] is JsonValue v && v.TryGetValue<decimal>(out var d) && d >= 0 && d == decimal.Truncate(d)
            ? d > int.MaxValue ? int.MaxValue : (int)d
            : throw Fail($"{path}/{keyword}", $"{keyword} must be a non-negative integer");
    }

    /// <summary><paramref name="unit"/> (one name or group) repeated min to max times (max null: any), in chunks llama.cpp accepts.</summary>
    private static string Repeat(string unit, int min, int? max)
    {
        if (max is null)
        {
            var required = Repeat(unit, min, min);
            return required.Length == 0 ? $"{unit}*" : $"{required} {unit}*";
        }

        var parts = new List<string>();
        var low = min;
        var high = max.Value;
        while (high > 0)
        {
            var chunkHigh = Math.Min(high, RepetitionChunk);
            var chunkLow = Math.Min(low, chunkHigh);
            parts.Add((chunkLow, chunkHigh) switch
            {
                (1, 1) => unit,
                (0, 1) => $"{unit}?",
                var (l, h) when l == h => $"{unit}{{{l}}}",
                var (l, h) => $"{unit}{{{l},{h}}}",
            });
            low -= chunkLow;
            high -= chunkHigh;
        }

        return string.Join(" ", parts);
    }
}
