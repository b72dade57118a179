using Nexa.Engine.Text;
using Nexa.Runner.Protos;
using EngineChoice = Nexa.Engine.Text.ToolChoiceMode;
using EngineToolCallDelta = Nexa.Engine.Text.ToolCallDelta;
using WireChatMessage = Nexa.Runner.Protos.ChatMessage;
using WireToolCallDelta = Nexa.Runner.Protos.ToolCallDelta;

namespace Nexa.Runner.Wire;

/// <summary>Tools, tool calls and output constraints: engine types ↔ protobuf, both directions.</summary>
internal static class ToolWire
{
    public static void AddTo(WireChatMessage wire, Engine.Text.ChatMessage message)
    {
        foreach (var call in message.ToolCalls)
            wire.ToolCalls.Add(new ToolCall { Id = call.Id, Name = call.Name, Arguments = call.ArgumentsJson });
        if (message.ToolCallId is { } id)
            wire.ToolCallId = id;
        if (message.Name is { } name)
            wire.Name = name;
    }

    public static Engine.Text.ChatMessage Complete(WireChatMessage wire, Engine.Text.ChatMessage message) => message with
    {
        ToolCalls = [.. wire.ToolCalls.Select(c => new ChatToolCall(c.Id, c.Name, c.Arguments))],
        ToolCallId = wire.HasToolCallId ? wire.ToolCallId : null,
        Name = wire.HasName ? wire.Name : null,
    };

    public static void AddTo(GenerateRequest wire, ChatRequest request)
    {
        foreach (var tool in request.Tools)
        {
            var wireTool = new Tool { Name = tool.Name, Parameters = tool.ParametersJson };
            if (tool.Description is { } description)
                wireTool.Description = description;
            wire.Tools.Add(wireTool);
        }
        wire.ToolChoice = request.ToolChoice.Mode switch
        {
            EngineChoice.None => Protos.ToolChoiceMode.None,
            EngineChoice.Required => Protos.ToolChoiceMode.Required,
            EngineChoice.Named => Protos.ToolChoiceMode.Named,
            _ => Protos.ToolChoiceMode.Auto,
        };
        if (request.ToolChoice.Name is { } name)
            wire.ToolChoiceName = name;
        wire.ParallelToolCalls = request.ParallelToolCalls;
        if (request.JsonSchema is { } schema)
            wire.JsonSchema = schema;
        if (request.Grammar is { } grammar)
            wire.Grammar = grammar;
        if (request.TemplateKwargsJson is { } kwargs)
            wire.TemplateKwargsJson = kwargs;
    }

    public static ChatRequest Complete(GenerateRequest wire, ChatRequest request) => request with
    {
        Tools = [.. wire.Tools.Select(t => new ChatTool(t.Name, t.HasDescription ? t.Description : null, t.Parameters))],
        ToolChoice = new ToolChoice(
            wire.ToolChoice switch
            {
                Protos.ToolChoiceMode.None => EngineChoice.None,
                Protos.ToolChoiceMode.Required => EngineChoice.Required,
                Protos.ToolChoiceMode.Named => EngineChoice.Named,
                _ => EngineChoice.Auto,
            },
            wire.HasToolChoiceName ? wire.ToolChoiceName : null),
        ParallelToolCalls = wire.ParallelToolCalls,
        JsonSchema = wire.HasJsonSchema ? wire.JsonSchema : null,
        Grammar = wire.HasGrammar ? wire.Grammar : null,
        TemplateKwargsJson = wire.HasTemplateKwargsJson ? wire.TemplateKwargsJson : null,
    };

    public static WireToolCallDelta ToWire(EngineToolCallDelta call)
    {
        var wire = new WireToolCallDelta { Index = call.Index, Arguments = call.Arguments };
        if (call.Id is { } id)
            wire.Id = id;
        if (call.Name is { } name)
            wire.Name = name;
        return wire;
    }

    public static EngineToolCallDelta FromWire(WireToolCallDelta wire) =>
        new(wire.Index, wire.HasId ? wire.Id : null, wire.HasName ? wire.Name : null, wire.Arguments);
}
