using Nexa.Engine;
using Nexa.Engine.Text;

namespace Nexa.FakeRunner;

/// <summary>
/// The fakes' chat template: ChatML, with the tools' names, the template variables and the thinking switch written
/// into a first line, so a test sees every field the template reads arrive. A user message
/// <see cref="RaiseMessage"/> makes it refuse the chat as a template's raise_exception does.
/// </summary>
public static class FakeTemplate
{
    /// <summary>A user message that the fake template refuses (chat_template_error, param messages).</summary>
    public const string RaiseMessage = "__template_raise__";

    public static string Render(ChatRequest request)
    {
        if (request.Messages.Count == 0)
            throw new EngineException(EngineErrorKind.InvalidRequest, "messages must hold at least one message", ErrorCodes.InvalidValue, "messages");
        if (request.Messages.Any(m => m.Images.Count > 0))
            throw new EngineException(EngineErrorKind.InvalidRequest, "not supported yet: images in a rendered prompt", ErrorCodes.UnsupportedParameter, "messages");
        if (request.Messages.Any(m => m.Role == "user" && m.Content == RaiseMessage))
            throw new EngineException(EngineErrorKind.InvalidRequest, "the fake chat template refused this chat: no raising", ErrorCodes.ChatTemplateError, "messages");

        var prompt = new System.Text.StringBuilder();
        if (request.Tools.Count > 0 || request.TemplateKwargsJson is not null || request.EnableThinking)
        {
            prompt.Append($"# tools=[{string.Join(",", request.Tools.Select(t => t.Name))}] kwargs={request.TemplateKwargsJson ?? "none"} ")
                .Append($"thinking={(request.EnableThinking ? "on" : "off")}\n");
        }
        foreach (var message in request.Messages)
        {
            var calls = string.Concat(message.ToolCalls.Select(c => $"[call {c.Name}{c.ArgumentsJson}]"));
            prompt.Append($"<|im_start|>{message.Role}\n{message.Content}{calls}<|im_end|>\n");
        }
        return prompt.Append("<|im_start|>assistant\n").ToString();
    }
}
