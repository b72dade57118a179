namespace Nexa.Protocol.Chat;

/// <summary>
/// llama-server's <c>POST /apply-template</c> answer (its body is a chat completions request): the chat as the model's
/// template renders it, generation prompt included.
/// </summary>
public sealed record ApplyTemplateResponse(string Prompt);
