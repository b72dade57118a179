using System.Text.Json;
using System.Text.RegularExpressions;
using Nexa.Engine.Text;
using Nexa.Protocol.Chat;
using Nexa.Server.Errors;
using Nexa.Server.Http;

namespace Nexa.Server.Chat;

/// <summary>
/// The agent-facing fields of a chat request: <c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c>,
/// <c>response_format</c>, llama-server's <c>grammar</c>, <c>json_schema</c> and <c>chat_template_kwargs</c>, and the
/// tool calls and tool results of the conversation. Schemas and grammars go to the engine as text: the runner checks
/// them (a 400 naming the schema path or the grammar position) before native code sees them.
/// </summary>
internal static partial class ChatToolMapper
{
    private const int MaxTools = 128;

    /// <summary>JSON Schema of a function that takes no arguments (OpenAI's meaning of an absent <c>parameters</c>).</summary>
    private const string NoParameters = """{"type":"object","properties":{}}""";

    private const string AnyObject = """{"type":"object"}""";

    public static ChatRequest Apply(ChatCompletionRequest body, ChatRequest request)
    {
        var tools = Tools(body.Tools);
        var choice = Choice(body.ToolChoice, tools);
        var schema = ResponseSchema(body.ResponseFormat) ?? TopLevelSchema(body.JsonSchema);
        var grammar = body.Grammar is { Length: > 0 } g ? g : null;
        if (grammar is not null && schema is not null)
            throw Fail(ErrorTable.InvalidValue("grammar", "send either a grammar or a JSON schema (response_format / json_schema), not both"));
        if (tools.Count > 0 && choice.Mode != ToolChoiceMode.None && (grammar is not null || schema is not null))
            throw Fail(ErrorTable.InvalidValue("tools", "tools cannot be combined with a grammar or a JSON response_format; set tool_choice to \"none\" or drop one"));
        return request with
        {
            Tools = tools,
            ToolChoice = choice,
            ParallelToolCalls = body.ParallelToolCalls ?? true,
            JsonSchema = schema,
            Grammar = grammar,
            TemplateKwargsJson = Kwargs(body.ChatTemplateKwargs),
        };
    }

    /// <summary>An assistant message's <c>tool_calls</c> as the client sends the conversation back.</summary>
    public static IReadOnlyList<ChatToolCall> MessageCalls(IReadOnlyList<RequestToolCall?>? calls, string param)
    {
        if (calls is null)
            return [];
        var mapped = new List<ChatToolCall>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var where = $"{param}[{i}]";
            var call = calls[i] ?? throw Fail(ErrorTable.WrongType(where, "an object"));
            if (call.Type is not (null or "function"))
                throw Fail(ErrorTable.InvalidValue($"{where}.type", "must be 'function'"));
            var name = call.Function?.Name;
            if (string.IsNullOrEmpty(name))
                throw Fail(ErrorTable.MissingParameter($"{where}.function.name"));
            var arguments = call.Function!.Arguments switch
            {
                null or { ValueKind: JsonValueKind.Null } => "{}",
                { ValueKind: JsonValueKind.String } text => text.GetString()!,
                { ValueKind: JsonValueKind.Object } json => json.GetRawText(),
                _ => throw Fail(ErrorTable.WrongType($"{where}.function.arguments", "a JSON string")),
            };
            mapped.Add(new ChatToolCall(string.IsNullOrEmpty(call.Id) ? $"call_{i}" : call.Id, name, arguments));
        }
        return mapped;
    }

    private static IReadOnlyList<ChatTool> Tools(IReadOnlyList<ToolSpec?>? tools)
    {
        if (tools is null)
            return [];
        if (tools.Count > MaxTools)
            throw Fail(ErrorTable.InvalidValue("tools", $"{tools.Count} tools; at most {MaxTools}"));
        var mapped = new List<ChatTool>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var param = $"tools[{i}]";
            var tool = tools[i] ?? throw Fail(ErrorTable.WrongType(param, "an object"));
            if (tool.Type is null)
                throw Fail(ErrorTable.MissingParameter($"{param}.type"));
            if (tool.Type != "function")
                throw Fail(ErrorTable.InvalidValue($"{param}.type", $"tools of type '{tool.Type}' cannot run here; only 'function' tools are supported"));
            var function = tool.Function ?? throw Fail(ErrorTable.MissingParameter($"{param}.function"));
            var name = function.Name ?? throw Fail(ErrorTable.MissingParameter($"{param}.function.name"));
            if (!FunctionName().IsMatch(name))
                throw Fail(ErrorTable.InvalidValue($"{param}.function.name", "must be 1 to 64 letters, digits, underscores or dashes"));
            if (mapped.Any(t => t.Name == name))
                throw Fail(ErrorTable.InvalidValue($"{param}.function.name", $"'{name}' is offered twice"));
            var parameters = function.Parameters switch
            {
                null or { ValueKind: JsonValueKind.Null } => NoParameters,
                { ValueKind: JsonValueKind.Object } schema => schema.GetRawText(),
                _ => throw Fail(ErrorTable.WrongType($"{param}.function.parameters", "a JSON Schema object")),
            };
            mapped.Add(new ChatTool(name, function.Description, parameters));
        }
        return mapped;
    }

    private static ToolChoice Choice(JsonElement? choice, IReadOnlyList<ChatTool> tools)
    {
        var mapped = choice switch
        {
            null or { ValueKind: JsonValueKind.Null } => ToolChoice.Auto,
            { ValueKind: JsonValueKind.String } mode => RequestBody.Text(mode, "tool_choice") switch
            {
                "auto" => ToolChoice.Auto,
                "none" => new ToolChoice(ToolChoiceMode.None),
                "required" => new ToolChoice(ToolChoiceMode.Required),
                var other => throw Fail(ErrorTable.InvalidValue("tool_choice", $"'{other}' is not one of none, auto, required, or {{\"type\":\"function\",\"function\":{{\"name\":…}}}}")),
            },
            { ValueKind: JsonValueKind.Object } named => new ToolChoice(ToolChoiceMode.Named, NamedFunction(named)),
            _ => throw Fail(ErrorTable.WrongType("tool_choice", "a string or an object")),
        };
        if (mapped.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named && tools.Count == 0)
            throw Fail(ErrorTable.InvalidValue("tool_choice", "asks for a tool call, but no tools are offered"));
        if (mapped.Mode == ToolChoiceMode.Named && tools.All(t => t.Name != mapped.Name))
            throw Fail(ErrorTable.InvalidValue("tool_choice", $"names the function '{mapped.Name}', which is not in tools"));
        return mapped;
    }

    private static string NamedFunction(JsonElement choice)
    {
        if (choice.TryGetProperty("type", out var type) && RequestBody.Text(type, "tool_choice.type") != "function")
            throw Fail(ErrorTable.InvalidValue("tool_choice.type", "must be 'function'"));
        if (!choice.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            throw Fail(ErrorTable.MissingParameter("tool_choice.function.name"));
        return RequestBody.Text(name, "tool_choice.function.name");
    }

    private static string? ResponseSchema(JsonElement? format)
    {
        if (format is not { ValueKind: not JsonValueKind.Null } value)
            return null;
        var type = value.ValueKind switch
        {
            JsonValueKind.String => RequestBody.Text(value, "response_format"),
            JsonValueKind.Object when value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String => RequestBody.Text(t, "response_format.type"),
            JsonValueKind.Object => throw Fail(ErrorTable.MissingParameter("response_format.type")),
            _ => throw Fail(ErrorTable.WrongType("response_format", "an object with a 'type'")),
        };
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                return AnyObject;
            case "json_schema":
                if (!value.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object)
                    throw Fail(ErrorTable.MissingParameter("response_format.json_schema"));
                if (!spec.TryGetProperty("schema", out var schema) || schema.ValueKind == JsonValueKind.Null)
                    return AnyObject;
                return schema.ValueKind is JsonValueKind.Object or JsonValueKind.True
                    ? schema.GetRawText()
                    : throw Fail(ErrorTable.WrongType("response_format.json_schema.schema", "a JSON Schema object"));
            default:
                throw Fail(ErrorTable.InvalidValue("response_format.type", $"'{type}' is not one of text, json_object, json_schema"));
        }
    }

    private static string? TopLevelSchema(JsonElement? schema) => schema switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Object or JsonValueKind.True } value => value.GetRawText(),
        _ => throw Fail(ErrorTable.WrongType("json_schema", "a JSON Schema object")),
    };

    private static string? Kwargs(JsonElement? kwargs) => kwargs switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Object } value => value.GetRawText(),
        _ => throw Fail(ErrorTable.WrongType("chat_template_kwargs", "an object")),
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    private static ApiException Fail(ApiError error) => new(error);
}
