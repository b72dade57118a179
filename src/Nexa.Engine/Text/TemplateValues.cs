using System.Text.Json;
using Nexa.Engine.Templates;

namespace Nexa.Engine.Text;

/// <summary>
/// The engine's typed chat (messages, tools, chat_template_kwargs) as the plain values a chat template reads, in
/// OpenAI's shapes and key order, as transformers and llama-server hand them to a template.
/// </summary>
internal static class TemplateValues
{
    /// <summary>One message: role, content (with its images), then tool_calls, tool_call_id and name where present.</summary>
    public static Dictionary<string, object?> Message(ChatMessage message, IReadOnlyList<(int Position, int Id)> images)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = message.Role,
            ["content"] = images.Count > 0 ? new TextWithImages(message.Content ?? "", images) : message.Content,
        };
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            // Arguments go as the wire's JSON string; ChatTemplate parses them into objects for templates that want them.
            fields["tool_calls"] = calls.Select(c => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            }).ToList();
        }

        if (message.ToolCallId is { } id)
        {
            fields["tool_call_id"] = id;
        }

        if (message.Name is { } name)
        {
            fields["name"] = name;
        }

        return fields;
    }

    /// <summary>The tools as OpenAI sends them (<c>{"type": "function", "function": {name, description, parameters}}</c>); null when none.</summary>
    public static List<object?>? Tools(IReadOnlyList<ChatTool>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return null;
        }

        return [.. tools.Select(tool =>
        {
            var function = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = tool.Name };
            if (tool.Description is { } description)
            {
                function["description"] = description;
            }

            function["parameters"] = Json(tool.ParametersJson, "tools");
            return (object?)new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "function", ["function"] = function };
        })];
    }

    /// <summary>
    /// The request's chat_template_kwargs (a JSON object's text) as template variables; the original SDK's
    /// <c>enable_think</c> stands for <c>enable_thinking</c> unless that is set too.
    /// </summary>
    public static Dictionary<string, object?> Variables(string? kwargsJson)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(kwargsJson))
        {
            return result;
        }

        if (Json(kwargsJson, "chat_template_kwargs") is not JsonElement { ValueKind: JsonValueKind.Object } kwargs)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, "chat_template_kwargs must be a JSON object",
                ErrorCodes.InvalidType, "chat_template_kwargs");
        }

        foreach (var property in kwargs.EnumerateObject())
        {
            result[property.Name] = property.Value;
        }

        if (result.TryGetValue("enable_think", out var think) && !result.ContainsKey("enable_thinking"))
        {
            result["enable_thinking"] = think;
        }

        return result;
    }

    private static JsonElement Json(string text, string param)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"{param} holds JSON that cannot be read: {e.Message}",
                ErrorCodes.InvalidJson, param, e);
        }
    }
}
