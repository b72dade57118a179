using System.Text;
using System.Text.Json.Nodes;
using Nexa.Engine.Text;
using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

/// <summary>
/// One answer fed to a <see cref="ToolCallStream"/> in scripted pieces, and what came out. Building it checks what
/// every stream must do whatever the family: a call's first delta carries its index, id and name with empty
/// arguments, later deltas only arguments; indices count up from 0; what the events add up to is the summary.
/// </summary>
internal sealed record ToolStreamRun(IReadOnlyList<GenerationEvent> Events, ToolCallAnswer Answer)
{
    public static readonly IReadOnlyList<ChatTool> Tools =
    [
        new("get_weather", "Weather for a city", """{"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}"""),
        new("search", "Searches the web", """{"type": "object", "properties": {"query": {"type": "string"}, "filters": {"type": "object"}, "exact": {"type": "boolean"}}, "required": ["query"]}"""),
        new("ping", null, ""),
    ];

    public static ToolStreamRun Of(IToolCallFormat format, IEnumerable<string> pieces) =>
        Of(format, pieces.Select(p => new TextDelta(p, IsReasoning: false)));

    public static ToolStreamRun Of(IToolCallFormat format, IEnumerable<TextDelta> pieces)
    {
        var stream = format.CreateStream(Tools);
        var events = new List<GenerationEvent>();
        foreach (var piece in pieces)
        {
            var output = new List<GenerationEvent>();
            stream.Push(piece, output);
            events.AddRange(output);
        }

        var last = new List<GenerationEvent>();
        var answer = stream.Finish(last);
        events.AddRange(last);
        var run = new ToolStreamRun(events, answer);
        run.CheckEventsAgreeWithAnswer();
        return run;
    }

    /// <summary>The answer text the events showed.</summary>
    public string Content => string.Concat(Events.OfType<TextDelta>().Where(d => !d.IsReasoning).Select(d => d.Text));

    public string Reasoning => string.Concat(Events.OfType<TextDelta>().Where(d => d.IsReasoning).Select(d => d.Text));

    /// <summary>Calls as "name args" with the arguments normalised (or "name !raw" when they are not complete JSON).</summary>
    public IReadOnlyList<string> Calls => [.. Answer.Calls.Select(Describe)];

    public static string Describe(ParsedToolCall call) =>
        call.IsComplete ? $"{call.Name} {JsonNode.Parse(call.ArgumentsJson)!.ToJsonString()}" : $"{call.Name} !{call.ArgumentsJson}";

    private void CheckEventsAgreeWithAnswer()
    {
        var calls = new List<(string Id, string Name, StringBuilder Arguments)>();
        foreach (var delta in Events.OfType<ToolCallDelta>())
        {
            if (delta.Id is not null)
            {
                Assert.Equal(calls.Count, delta.Index);
                Assert.False(string.IsNullOrEmpty(delta.Name));
                Assert.Equal("", delta.Arguments);
                calls.Add((delta.Id, delta.Name!, new StringBuilder()));
            }
            else
            {
                Assert.Null(delta.Name);
                Assert.Equal(calls.Count - 1, delta.Index);
                Assert.NotEqual("", delta.Arguments);
                calls[^1].Arguments.Append(delta.Arguments);
            }
        }

        Assert.Equal(Answer.Calls.Count, calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal(Answer.Calls[i].Id, calls[i].Id);
            Assert.Equal(Answer.Calls[i].Name, calls[i].Name);
            Assert.Equal(Answer.Calls[i].ArgumentsJson, calls[i].Arguments.ToString());
        }

        Assert.Equal(calls.Count, calls.Select(c => c.Id).Distinct().Count());
        Assert.Equal(Answer.Content, Content);
        Assert.Equal(Answer.Reasoning, Reasoning);
    }
}

/// <summary>Ways to cut one answer into streamed pieces.</summary>
internal static class Pieces
{
    /// <summary>The whole text as one piece, one character per piece, and every cut into two pieces.</summary>
    public static IEnumerable<string[]> EveryCut(string text)
    {
        yield return [text];
        yield return [.. text.Select(c => c.ToString())];
        for (var at = 1; at < text.Length; at++)
        {
            yield return [text[..at], text[at..]];
        }
    }
}
