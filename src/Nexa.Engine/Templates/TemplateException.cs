namespace Nexa.Engine.Templates;

/// <summary>A chat template failed: it could not be parsed, or rendering it failed or ran past its limits.</summary>
public class TemplateException(string message, int line = 0, Exception? inner = null)
    : Exception(line > 0 ? $"{message} (line {line})" : message, inner)
{
    /// <summary>The template line the failure points at; 0 when unknown.</summary>
    public int Line { get; } = line;
}

/// <summary>The template's source is not Jinja this engine understands (a syntax error, an unknown filter or test).</summary>
public sealed class TemplateSyntaxException(string message, int line) : TemplateException(message, line);

/// <summary>
/// The template itself refused the chat with <c>raise_exception(message)</c> (roles that do not alternate, a tool
/// call id of the wrong length…). <see cref="TemplateMessage"/> is the template's own words, meant for the client.
/// </summary>
public sealed class TemplateRaisedException(string templateMessage, int line) : TemplateException(templateMessage, line)
{
    public string TemplateMessage { get; } = templateMessage;
}

/// <summary>Rendering ran past a limit (steps, output size, nesting): the template loops or recurses without end.</summary>
public sealed class TemplateLimitException(string message, int line) : TemplateException(message, line);
