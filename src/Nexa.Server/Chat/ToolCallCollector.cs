using System.Text;
using Nexa.Engine.Text;
using Nexa.Protocol.Chat;

namespace Nexa.Server.Chat;

/// <summary>Gathers a generation's streamed tool-call pieces into whole calls (for a non-streamed answer).</summary>
internal sealed class ToolCallCollector
{
    private readonly List<(string Id, string Name, StringBuilder Arguments)> _calls = [];

    public int Count => _calls.Count;

    public void Add(ToolCallDelta delta)
    {
        if (delta.Index == _calls.Count)
            _calls.Add((delta.Id ?? $"call_{delta.Index}", delta.Name ?? "", new StringBuilder()));
        else if (delta.Index < 0 || delta.Index > _calls.Count)
            throw new EngineException(EngineErrorKind.Internal, $"the engine sent a piece of tool call {delta.Index} before call {_calls.Count}");
        _calls[delta.Index].Arguments.Append(delta.Arguments);
    }

    public IReadOnlyList<ToolCallOut> ToWire() =>
        [.. _calls.Select(c => new ToolCallOut(c.Id, new FunctionCallOut(c.Name, c.Arguments.ToString())))];

    /// <summary>One streamed piece in OpenAI's delta shape: id, type and name on a call's first piece only.</summary>
    public static ToolCallChunk ToWire(ToolCallDelta delta) => new()
    {
        Index = delta.Index,
        Id = delta.Id,
        Type = delta.Id is null ? null : "function",
        Function = new FunctionCallChunk { Name = delta.Name, Arguments = delta.Arguments },
    };
}
