namespace Nexa.Engine.Templates;

/// <summary>
/// A Jinja template parsed once and rendered many times, exactly as Hugging Face transformers renders chat
/// templates (jinja2's sandbox with trim_blocks and lstrip_blocks, loop controls, transformers' tojson,
/// raise_exception and strftime_now). Rendering is bounded by <see cref="TemplateLimits"/>: a template that loops
/// or recurses without end fails with <see cref="TemplateLimitException"/> instead of hanging.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _body;

    private JinjaTemplate(IReadOnlyList<Node> body)
    {
        _body = body;
    }

    /// <summary>Parses <paramref name="source"/>; throws <see cref="TemplateSyntaxException"/> for what it cannot parse.</summary>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(TemplateParser.Parse(source));
    }

    /// <param name="clock">What <c>strftime_now</c> reads; the local time by default.</param>
    public RenderedText Render(TemplateContext context, TemplateLimits? limits = null, Func<DateTime>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var renderer = new TemplateRenderer(limits ?? TemplateLimits.Default, clock ?? (() => DateTime.Now));
        try
        {
            return new RenderedText(renderer.Render(_body, context.Variables));
        }
        catch (Exception e) when (e is not TemplateException and not OutOfMemoryException)
        {
            // Whatever a template does wrong (a malformed format string, an argument of the wrong kind) fails the
            // rendering, never the caller with an exception it does not expect.
            throw new TemplateException($"the template failed: {e.Message}", 0, e);
        }
    }
}

/// <summary>
/// The variables of one rendering. <see cref="Data"/> values came from the request: every string in them is data,
/// never control tokens. <see cref="Template"/> values are chosen by the server (special tokens, switches) and print
/// as the template's own text.
/// </summary>
public sealed class TemplateContext
{
    internal Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>A variable from the request: plain values (strings, numbers, bools, null, dictionaries, lists, JSON).</summary>
    public TemplateContext Data(string name, object? value)
    {
        Variables[name] = PlainValues.ToTemplate(value, TextOrigin.Data);
        return this;
    }

    /// <summary>A variable the server chooses: its strings print as template text.</summary>
    public TemplateContext Template(string name, object? value)
    {
        Variables[name] = PlainValues.ToTemplate(value, TextOrigin.Template);
        return this;
    }

    internal TemplateContext Value(string name, object? templateValue)
    {
        Variables[name] = templateValue;
        return this;
    }

    public bool Has(string name) => Variables.ContainsKey(name);
}

/// <summary>One piece of rendered text and where it came from (<see cref="Image"/> is the image's number for images).</summary>
public readonly record struct TextSegment(string Text, TextOrigin Origin, int Image = -1);

/// <summary>A rendered template: the text, and its segments by origin in order.</summary>
public sealed class RenderedText
{
    internal RenderedText(TemplateString text)
    {
        Text = text.Text;
        var segments = new List<TextSegment>();
        var at = 0;
        foreach (var run in text.Runs)
        {
            segments.Add(new TextSegment(Text.Substring(at, run.Length), run.Origin, run.Image));
            at += run.Length;
        }

        Segments = segments;
    }

    /// <summary>The whole text; an image is one U+FFFC character.</summary>
    public string Text { get; }

    public IReadOnlyList<TextSegment> Segments { get; }

    public override string ToString() => Text;
}
