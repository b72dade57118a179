using Nexa.Engine.Text;
using Nexa.Protocol.Chat;
using Nexa.Server.Errors;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Chat;

/// <summary>
/// A validated <c>/apply-template</c> request: a chat completions body mapped by the chat route's own mapper (so every
/// field and every refusal is the chat's), then two refusals of its own: no messages (there is no prompt to show, and
/// no warm-up here) and images (the prompt has no text for them yet).
/// </summary>
internal sealed record ApplyTemplateJob(string Model, ChatRequest Request) : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.ApplyTemplate);
    public bool IsWarmUp => false;

    public static ApplyTemplateJob Map(ChatCompletionRequest body)
    {
        var chat = ChatRequestMapper.Map(body);
        if (body.Messages is null)
            throw new ApiException(ErrorTable.MissingParameter("messages"));
        if (chat.Request.Messages.Count == 0)
            throw new ApiException(ErrorTable.InvalidValue("messages", "must hold at least one message: an empty chat has no prompt to show"));
        // In the engine's prompt an image is a place the projector fills, not text a client could read back.
        if (chat.HasImages)
            throw new ApiException(ErrorTable.NotSupportedYet(chat.Images[0].Param, "images in /apply-template"));
        return new ApplyTemplateJob(chat.Model, chat.Request);
    }
}
