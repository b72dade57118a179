using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

internal sealed partial class SchemaConverter
{
    private const int MaxFlattenDepth = 32;

    /// <summary>
    /// A schema without <c>$ref</c> or <c>allOf</c> at its top: the referenced schema and every allOf part merged into
    /// one (properties and required united, bounds tightened, types intersected). Parts that disagree otherwise are refused.
    /// </summary>
    private JsonObject Flatten(JsonObject o, string path, int depth)
    {
        if (depth > MaxFlattenDepth)
        {
            throw Fail(path, "$ref/allOf nest too deep (a $ref cycle with nothing in between?)");
        }

        var parts = new List<(JsonObject Part, string Path)>();
        var own = new JsonObject();
        foreach (var (key, value) in o)
        {
            switch (key)
            {
                case "$ref":
                    var target = Resolve(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Fail($"{path}/$ref", "$ref must be a string"), $"{path}/$ref");
                    parts.Add((AsObject(target, $"{path}/$ref"), value!.GetValue<string>()));
                    break;
                case "allOf":
                    if (value is not JsonArray all || all.Count == 0)
                    {
                        throw Fail($"{path}/allOf", "allOf must be a non-empty array of schemas");
                    }

                    for (var i = 0; i < all.Count; i++)
                    {
                        parts.Add((AsObject(all[i], $"{path}/allOf/{i}"), $"{path}/allOf/{i}"));
                    }

                    break;
                default:
                    if (!IsAnnotation(key))
                    {
                        own[key] = value?.DeepClone();
                    }

                    break;
            }
        }

        var merged = own;
        foreach (var (part, partPath) in parts)
        {
            var flat = part.ContainsKey("$ref") || part.ContainsKey("allOf") ? Flatten(part, partPath, depth + 1) : part;
            merged = Merge(merged, flat, partPath);
        }

        return merged;
    }

    private static JsonObject AsObject(JsonNode? schema, string path) => schema switch
    {
        JsonObject o => o,
        JsonValue v when v.TryGetValue<bool>(out var b) && b => [],
        JsonValue v when v.TryGetValue<bool>(out _) => throw Fail(path, "the schema false matches no value"),
        _ => throw Fail(path, "a schema must be an object or a boolean"),
    };

    private static JsonObject Merge(JsonObject into, JsonObject part, string path)
    {
        var result = (JsonObject)into.DeepClone();
        foreach (var (key, value) in part)
        {
            if (IsAnnotation(key))
            {
                continue;
            }

            if (!result.TryGetPropertyValue(key, out var existing))
            {
                result[key] = value?.DeepClone();
                continue;
            }

            switch (key)
            {
                case "properties" when existing is JsonObject a && value is JsonObject b:
                    foreach (var (name, schema) in b)
                    {
                        a[name] = a.TryGetPropertyValue(name, out var old) && !JsonNode.DeepEquals(old, schema)
                            ? new JsonObject { ["allOf"] = new JsonArray(old?.DeepClone(), schema?.DeepClone()) }
                            : schema?.DeepClone();
                    }

                    break;
                case "required" when existing is JsonArray a && value is JsonArray b:
                    foreach (var name in b.Where(n => !a.Any(x => JsonNode.DeepEquals(x, n))))
                    {
                        a.Add(name?.DeepClone());
                    }

                    break;
                case "type":
                    var types = Types(existing).Intersect(Types(value)).ToList();
                    if (Types(existing).Contains("number") && Types(value).Contains("integer") || Types(existing).Contains("integer") && Types(value).Contains("number"))
                    {
                        types = [.. types.Append("integer").Distinct()];
                    }

                    result["type"] = types.Count == 0
                        ? throw Fail($"{path}/type", "allOf parts allow no common type")
                        : new JsonArray([.. types.Select(t => (JsonNode)JsonValue.Create(t))]);
                    break;
                case "minimum" or "exclusiveMinimum" or "minLength" or "minItems" when Both(existing, value, out var x, out var y):
                    result[key] = Math.Max(x, y);
                    break;
                case "maximum" or "exclusiveMaximum" or "maxLength" or "maxItems" when Both(existing, value, out var x, out var y):
                    result[key] = Math.Min(x, y);
                    break;
                default:
                    if (!JsonNode.DeepEquals(existing, value))
                    {
                        throw Fail($"{path}/{key}", $"allOf parts give '{key}' different values, which the converter cannot combine");
                    }

                    break;
            }
        }

        return result;
    }

    private static IEnumerable<string> Types(JsonNode? type) => type switch
    {
        JsonArray list => list.Select(t => t?.GetValue<string>() ?? ""),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private static bool Both(JsonNode? a, JsonNode? b, out decimal x, out decimal y)
    {
        x = 0;
        y = 0;
        return a is JsonValue va && va.TryGetValue(out x) && b is JsonValue vb && vb.TryGetValue(out y);
    }
}
