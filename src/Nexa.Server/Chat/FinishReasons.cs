using Nexa.Engine.Text;
using Nexa.Protocol.Chat;

namespace Nexa.Server.Chat;

/// <summary>The engine's end of an answer in OpenAI's words.</summary>
internal static class FinishReasons
{
    public static string Wire(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        _ => "stop",
    };

    public static Usage Usage(GenerationFinished finished) =>
        new(finished.PromptTokens, finished.CompletionTokens, finished.PromptTokens + finished.CompletionTokens)
        {
            PromptTokensDetails = new PromptTokensDetails(finished.CachedTokens),
        };
}
