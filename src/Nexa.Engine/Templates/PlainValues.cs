using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexa.Engine.Templates;

/// <summary>
/// Turns the plain C# values a caller passes (strings, numbers, bools, null, dictionaries, lists, and
/// System.Text.Json's JsonElement and JsonNode) into template values, every string tagged with one origin.
/// Values are copied, so a template that changes a list or dict never changes the caller's.
/// </summary>
internal static class PlainValues
{
    public static object? ToTemplate(object? value, TextOrigin origin) => Convert(value, origin, 0);

    /// <summary>Parses JSON text into template values (strings tagged <paramref name="origin"/>).</summary>
    public static object? FromJson(string json, TextOrigin origin)
    {
        using var document = JsonDocument.Parse(json);
        return Convert(document.RootElement, origin, 0);
    }

    private static object? Convert(object? value, TextOrigin origin, int depth)
    {
        if (depth > 200)
        {
            throw new TemplateException("a template variable nests too deeply");
        }

        return value switch
        {
            null => null,
            TemplateString s => s,
            TextWithImages content => TemplateString.DataWithImages(content.Text, content.Images),
            NullContent or Undefined => value,
            string s => TemplateString.Of(s, origin),
            bool b => b,
            sbyte or byte or short or ushort or int or uint or long => System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            ulong u => u <= long.MaxValue ? (long)u : (double)u,
            float f => (double)f,
            double d => d,
            decimal m => (double)m,
            char c => TemplateString.Of(c.ToString(), origin),
            JsonElement element => FromElement(element, origin, depth),
            JsonNode node => FromNode(node, origin, depth),
            IDictionary<string, object?> dict => Dict(dict, origin, depth),
            IReadOnlyDictionary<string, object?> dict => Dict(dict, origin, depth),
            IDictionary dict => Dict(dict.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(k.ToString() ?? "", dict[k])), origin, depth),
            PyDict dict => CopyDict(dict, origin, depth),
            PyTuple tuple => new PyTuple(tuple.Select(i => Convert(i, origin, depth + 1))),
            IEnumerable items => new List<object?>(items.Cast<object?>().Select(i => Convert(i, origin, depth + 1))),
            _ => TemplateString.Of(value.ToString() ?? "", origin),
        };
    }

    private static PyDict CopyDict(PyDict dict, TextOrigin origin, int depth)
    {
        var copy = new PyDict();
        foreach (var (key, item) in dict)
        {
            copy[key] = Convert(item, origin, depth + 1);
        }

        return copy;
    }

    private static PyDict Dict(IEnumerable<KeyValuePair<string, object?>> pairs, TextOrigin origin, int depth)
    {
        var dict = new PyDict();
        foreach (var (key, item) in pairs)
        {
            dict[TemplateString.Of(key, origin)] = Convert(item, origin, depth + 1);
        }

        return dict;
    }

    private static object? FromElement(JsonElement element, TextOrigin origin, int depth) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => TemplateString.Of(element.GetString()!, origin),
        JsonValueKind.Number => element.TryGetInt64(out var l) && !element.GetRawText().Contains('.') && !element.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase)
            ? l : (object)element.GetDouble(),
        JsonValueKind.Array => new List<object?>(element.EnumerateArray().Select(e => Convert(e, origin, depth + 1))),
        JsonValueKind.Object => Dict(element.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)), origin, depth),
        _ => null,
    };

    private static object? FromNode(JsonNode node, TextOrigin origin, int depth) => node switch
    {
        JsonObject obj => Dict(obj.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)), origin, depth),
        JsonArray array => new List<object?>(array.Select(e => Convert(e, origin, depth + 1))),
        JsonValue v when v.TryGetValue<JsonElement>(out var element) => FromElement(element, origin, depth),
        JsonValue v => Convert(v.GetValue<object>(), origin, depth + 1),
        _ => null,
    };
}
