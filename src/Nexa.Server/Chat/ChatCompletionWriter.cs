using System.Text;
using Microsoft.AspNetCore.Http;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Chat;
using Nexa.Server.Http;

namespace Nexa.Server.Chat;

/// <summary>A non-streamed answer: gathers the generation, then writes one <c>chat.completion</c>.</summary>
internal static class ChatCompletionWriter
{
    public static async Task WriteAsync(HttpContext http, ChatJob job, IAsyncEnumerable<GenerationEvent> events, CompletionIds ids, CancellationToken ct)
    {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new ToolCallCollector();
        GenerationFinished? finished = null;
        await foreach (var e in events.WithCancellation(ct))
        {
            switch (e)
            {
                case TextDelta { IsReasoning: true } delta:
                    reasoning.Append(delta.Text);
                    break;
                case TextDelta delta:
                    content.Append(delta.Text);
                    break;
                case ToolCallDelta call:
                    calls.Add(call);
                    break;
                case GenerationFinished done:
                    finished = done;
                    break;
            }
        }
        if (finished is null)
            throw new EngineException(EngineErrorKind.Internal, "the engine ended the answer without finishing it");

        var completion = new ChatCompletion
        {
            Id = ids.Id,
            Created = ids.Created,
            Model = job.Model,
            Choices =
            [
                new ChatChoice
                {
                    Message = new AssistantMessage
                    {
                        // OpenAI's shape: an answer that is only tool calls has content null.
                        Content = content.Length == 0 && calls.Count > 0 ? null : content.ToString(),
                        ToolCalls = calls.Count > 0 ? calls.ToWire() : null,
                        ReasoningContent = reasoning.Length > 0 ? reasoning.ToString() : null,
                    },
                    FinishReason = FinishReasons.Wire(finished.Reason),
                },
            ],
            Usage = FinishReasons.Usage(finished),
        };
        await JsonReply.WriteAsync(http, completion, ProtocolJsonContext.Wire.ChatCompletion);
    }
}
