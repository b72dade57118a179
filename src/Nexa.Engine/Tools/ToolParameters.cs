using System.Text.Json;

using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>How a parameter's raw text (XML-style families write values unquoted) becomes JSON.</summary>
internal enum ParameterKind
{
    /// <summary>The schema says string: the text is the string, whatever it looks like ("42" stays "42").</summary>
    String,

    /// <summary>The schema says number, integer, boolean, object, array or null: the text is parsed as JSON.</summary>
    Json,

    /// <summary>No schema or a mix of types: JSON if the text parses as JSON, else a string.</summary>
    Unknown,
}

/// <summary>One parameter of a tool, from its JSON schema.</summary>
internal sealed record ToolParameter(string Name, ParameterKind Kind, bool Required, JsonElement Schema);

/// <summary>The parameters a tool's JSON schema declares, in schema order.</summary>
internal static class ToolParameters
{
    public static IReadOnlyList<ToolParameter> Of(ChatTool tool)
    {
        if (string.IsNullOrWhiteSpace(tool.ParametersJson))
        {
            return [];
        }

        JsonElement schema;
        try
        {
            using var document = JsonDocument.Parse(tool.ParametersJson);
            schema = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return [];
        }

        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var names) && names.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in names.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String)
                {
                    required.Add(name.GetString()!);
                }
            }
        }

        return [.. properties.EnumerateObject().Select(p => new ToolParameter(p.Name, KindOf(p.Value), required.Contains(p.Name), p.Value))];
    }

    /// <summary>The kind of each parameter of each tool, by tool name then parameter name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, ParameterKind>> KindsByTool(IReadOnlyList<ChatTool> tools)
    {
        var kinds = new Dictionary<string, IReadOnlyDictionary<string, ParameterKind>>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            kinds[tool.Name] = Of(tool).ToDictionary(p => p.Name, p => p.Kind, StringComparer.Ordinal);
        }

        return kinds;
    }

    private static ParameterKind KindOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return ParameterKind.Unknown;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString() == "string" ? ParameterKind.String : ParameterKind.Json;
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                var types = type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null).ToList();
                return types.All(t => t == "string") ? ParameterKind.String
                    : types.Contains("string") ? ParameterKind.Unknown
                    : ParameterKind.Json;
            }
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            return values.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) ? ParameterKind.String : ParameterKind.Unknown;
        }

        return ParameterKind.Unknown;
    }
}
