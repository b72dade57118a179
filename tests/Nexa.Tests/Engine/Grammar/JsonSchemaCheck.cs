using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nexa.Tests.Engine.Grammar;

/// <summary>
/// A small JSON Schema validator for the keywords the grammar converter supports (System.Text.Json only), written
/// apart from the converter so tests check answers against the schema's meaning, not against the converter.
/// </summary>
public static class JsonSchemaCheck
{
    public static void AssertValid(string schema, string json)
    {
        var root = JsonNode.Parse(schema);
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            Assert.Fail($"not JSON: {json} ({e.Message})");
            return;
        }

        var errors = new List<string>();
        Check(root, root, value, "$", errors);
        Assert.True(errors.Count == 0, $"{json} does not validate: {string.Join("; ", errors)}");
    }

    private static void Check(JsonNode? root, JsonNode? schema, JsonNode? value, string at, List<string> errors)
    {
        if (schema is JsonValue b && b.TryGetValue<bool>(out var allowed))
        {
            if (!allowed)
            {
                errors.Add($"{at}: false schema");
            }

            return;
        }

        var s = (JsonObject)schema!;
        if (s["$ref"] is { } reference)
        {
            Check(root, Resolve(root, reference.GetValue<string>()), value, at, errors);
        }

        if (s["type"] is { } type)
        {
            var types = type is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!types.Any(t => IsType(value, t)))
            {
                errors.Add($"{at}: not of type {string.Join("|", types)}");
                return;
            }
        }

        if (s.ContainsKey("const") && !JsonNode.DeepEquals(s["const"], value))
        {
            errors.Add($"{at}: not the const");
        }

        if (s["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
        {
            errors.Add($"{at}: not in enum");
        }

        foreach (var part in (s["allOf"] as JsonArray) ?? [])
        {
            Check(root, part, value, at, errors);
        }

        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (s[keyword] is JsonArray branches)
            {
                var passing = branches.Count(branch =>
                {
                    var inner = new List<string>();
                    Check(root, branch, value, at, inner);
                    return inner.Count == 0;
                });
                if (passing == 0 || (keyword == "oneOf" && passing > 1))
                {
                    errors.Add($"{at}: {keyword} matched {passing} branches");
                }
            }
        }

        switch (value)
        {
            case JsonObject o:
                CheckObject(root, s, o, at, errors);
                break;
            case JsonArray a:
                CheckArray(root, s, a, at, errors);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                CheckString(s, v.GetValue<string>(), at, errors);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                CheckNumber(s, v.GetValue<decimal>(), at, errors);
                break;
        }
    }

    private static void CheckObject(JsonNode? root, JsonObject s, JsonObject o, string at, List<string> errors)
    {
        var properties = s["properties"] as JsonObject;
        foreach (var name in (s["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
        {
            if (!o.ContainsKey(name))
            {
                errors.Add($"{at}: missing {name}");
            }
        }

        foreach (var (name, member) in o)
        {
            if (properties is not null && properties.TryGetPropertyValue(name, out var sub))
            {
                Check(root, sub, member, $"{at}.{name}", errors);
            }
            else if (s.TryGetPropertyValue("additionalProperties", out var additional))
            {
                Check(root, additional, member, $"{at}.{name}", errors);
            }
        }
    }

    private static void CheckArray(JsonNode? root, JsonObject s, JsonArray a, string at, List<string> errors)
    {
        var prefix = s["prefixItems"] as JsonArray ?? s["items"] as JsonArray ?? [];
        var rest = s["items"] is JsonArray ? s["additionalItems"] : s["items"];
        for (var i = 0; i < a.Count; i++)
        {
            var schema = i < prefix.Count ? prefix[i] : rest;
            if (schema is not null || (i >= prefix.Count && (s.ContainsKey("items") || s.ContainsKey("additionalItems"))))
            {
                Check(root, schema ?? JsonValue.Create(true), a[i], $"{at}[{i}]", errors);
            }
        }

        if (s["minItems"] is { } min && a.Count < min.GetValue<int>())
        {
            errors.Add($"{at}: fewer than minItems");
        }

        if (s["maxItems"] is { } max && a.Count > max.GetValue<int>())
        {
            errors.Add($"{at}: more than maxItems");
        }
    }

    private static void CheckString(JsonObject s, string text, string at, List<string> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (s["minLength"] is { } min && length < min.GetValue<int>())
        {
            errors.Add($"{at}: shorter than minLength");
        }

        if (s["maxLength"] is { } max && length > max.GetValue<int>())
        {
            errors.Add($"{at}: longer than maxLength");
        }

        if (s["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(5)))
        {
            errors.Add($"{at}: does not match pattern");
        }

        var format = s["format"]?.GetValue<string>();
        var ok = format switch
        {
            "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "time" => Regex.IsMatch(text, @"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([zZ]|[+-]([01]\d|2[0-3]):[0-5]\d)$"),
            "date-time" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && text.Length >= 20,
            "uuid" => Guid.TryParseExact(text, "D", out _),
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{at}: not a {format}");
        }
    }

    private static void CheckNumber(JsonObject s, decimal n, string at, List<string> errors)
    {
        if (s["minimum"] is JsonValue min && min.GetValueKind() == JsonValueKind.Number && n < min.GetValue<decimal>())
        {
            errors.Add($"{at}: below minimum");
        }

        if (s["maximum"] is JsonValue max && max.GetValueKind() == JsonValueKind.Number && n > max.GetValue<decimal>())
        {
            errors.Add($"{at}: above maximum");
        }

        if (s["exclusiveMinimum"] is JsonValue emin && emin.GetValueKind() == JsonValueKind.Number && n <= emin.GetValue<decimal>())
        {
            errors.Add($"{at}: not above exclusiveMinimum");
        }

        if (s["exclusiveMaximum"] is JsonValue emax && emax.GetValueKind() == JsonValueKind.Number && n >= emax.GetValue<decimal>())
        {
            errors.Add($"{at}: not below exclusiveMaximum");
        }
    }

    private static bool IsType(JsonNode? value, string type) => (type, value?.GetValueKind() ?? JsonValueKind.Null) switch
    {
        ("null", JsonValueKind.Null) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("string", JsonValueKind.String) => true,
        ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => value!.GetValue<decimal>() == decimal.Truncate(value.GetValue<decimal>()),
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        _ => false,
    };

    private static JsonNode? Resolve(JsonNode? root, string pointer)
    {
        var node = root;
        foreach (var segment in pointer.Length > 1 ? pointer[2..].Split('/') : [])
        {
            node = node![segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node;
    }
}
