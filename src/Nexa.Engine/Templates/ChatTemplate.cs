namespace Nexa.Engine.Templates;

/// <summary>Message text with images in it: image <c>Id</c> sits before the character at <c>Position</c> (0..Text.Length).</summary>
public sealed record TextWithImages(string Text, IReadOnlyList<(int Position, int Id)> Images);

/// <summary>What a chat template renders: the chat as an OpenAI client sends it, as plain values.</summary>
public sealed record ChatTemplateInput
{
    /// <summary>
    /// One dictionary per message with OpenAI's fields: role, content (a string, null, a <see cref="TextWithImages"/>,
    /// or a list of parts), and where present tool_calls (arguments as the JSON string of the wire, or as an object),
    /// tool_call_id, name, reasoning_content.
    /// </summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, object?>> Messages { get; init; }

    /// <summary>Tool definitions as OpenAI sends them ({"type": "function", "function": {...}}); null or empty: no tools.</summary>
    public IReadOnlyList<object?>? Tools { get; init; }

    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary>The vocabulary's BOS and EOS tokens, as the template prints them.</summary>
    public string BosToken { get; init; } = "";

    public string EosToken { get; init; } = "";

    /// <summary>Set by the server, not the client (enable_thinking from the request's own switch): template text.</summary>
    public IReadOnlyDictionary<string, object?> Switches { get; init; } = new Dictionary<string, object?>();

    /// <summary>The client's chat_template_kwargs (llama-server's field): data, and they win over <see cref="Switches"/>.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>();
}

/// <summary>
/// A model's chat template, parsed once, rendered with the conventions transformers and llama.cpp use for chats:
/// <c>messages</c>, <c>tools</c> (none without tools), <c>add_generation_prompt</c>, <c>bos_token</c>/<c>eos_token</c>,
/// then the client's own variables. Two habits of real templates are probed once, as llama.cpp's minja does: a
/// template that prints only content parts (not a string) gets its content as [{"type": "text", …}], and one that
/// can only print tool-call arguments as a string (DeepSeek's concatenates them) gets the wire's JSON string, while
/// every other template gets the arguments as an object, as transformers documents.
/// </summary>
public sealed class ChatTemplate
{
    private const string Probe = "nexa-template-probe";

    private static readonly HashSet<string> Reserved = new(["messages", "tools", "documents", "add_generation_prompt"], StringComparer.Ordinal);

    private readonly Lazy<bool> _needsTypedContent;
    private readonly Lazy<bool> _needsStringArguments;

    private ChatTemplate(string source, JinjaTemplate template)
    {
        Source = source;
        Template = template;
        _needsTypedContent = new Lazy<bool>(ProbeTypedContent);
        _needsStringArguments = new Lazy<bool>(ProbeStringArguments);
    }

    public string Source { get; }

    public JinjaTemplate Template { get; }

    /// <summary>The template prints message content only when it comes as a list of parts.</summary>
    public bool NeedsTypedContent => _needsTypedContent.Value;

    /// <summary>The template can print tool-call arguments only as a string, not as an object.</summary>
    public bool NeedsStringArguments => _needsStringArguments.Value;

    /// <summary>Parses the template; throws <see cref="TemplateSyntaxException"/> when this engine cannot.</summary>
    public static ChatTemplate Parse(string source) => new(source, JinjaTemplate.Parse(source));

    public RenderedText Render(ChatTemplateInput input, TemplateLimits? limits = null, Func<DateTime>? clock = null) =>
        Render(input, NeedsTypedContent, NeedsStringArguments, limits, clock);

    private RenderedText Render(ChatTemplateInput input, bool typedContent, bool stringArguments, TemplateLimits? limits, Func<DateTime>? clock)
    {
        ArgumentNullException.ThrowIfNull(input);
        var context = new TemplateContext()
            .Value("messages", new List<object?>(input.Messages.Select(m => Message(m, typedContent, stringArguments))))
            .Value("tools", input.Tools is { Count: > 0 } tools ? PlainValues.ToTemplate(tools, TextOrigin.Data) : null)
            .Value("documents", null)
            .Value("add_generation_prompt", input.AddGenerationPrompt)
            .Template("bos_token", input.BosToken)
            .Template("eos_token", input.EosToken);
        foreach (var (name, value) in input.Switches)
        {
            if (!Reserved.Contains(name))
            {
                context.Template(name, value);
            }
        }

        foreach (var (name, value) in input.Variables)
        {
            if (!Reserved.Contains(name))
            {
                context.Data(name, value);
            }
        }

        return Template.Render(context, limits, clock);
    }

    private static PyDict Message(IReadOnlyDictionary<string, object?> message, bool typedContent, bool stringArguments)
    {
        var dict = new PyDict();
        foreach (var (key, value) in message)
        {
            dict[TemplateString.Data(key)] = key switch
            {
                "content" => null,
                "tool_calls" => ToolCalls(value, stringArguments),
                _ => PlainValues.ToTemplate(value, TextOrigin.Data),
            };
        }

        var contentKey = TemplateString.Data("content");
        message.TryGetValue("content", out var content);
        var hasCalls = message.TryGetValue("tool_calls", out var calls) && calls is not null;
        dict[contentKey] = content switch
        {
            null => NullContent.Value,
            "" when hasCalls => NullContent.Value,
            TextWithImages { Text.Length: 0, Images.Count: 0 } when hasCalls => NullContent.Value,
            TextWithImages withImages => TypedIfNeeded(TemplateString.DataWithImages(withImages.Text, withImages.Images), typedContent),
            string text => TypedIfNeeded(TemplateString.Data(text), typedContent),
            _ => PlainValues.ToTemplate(content, TextOrigin.Data),
        };
        return dict;
    }

    private static object TypedIfNeeded(TemplateString text, bool typedContent)
    {
        if (!typedContent)
        {
            return text;
        }

        var part = new PyDict
        {
            [TemplateString.Data("type")] = TemplateString.Data("text"),
            [TemplateString.Data("text")] = text,
        };
        return new List<object?> { part };
    }

    /// <summary>Tool calls with their arguments as objects (parsed from the wire's JSON string), or as strings when the template needs them.</summary>
    private static object? ToolCalls(object? value, bool stringArguments)
    {
        var calls = PlainValues.ToTemplate(value, TextOrigin.Data);
        if (calls is not List<object?> list)
        {
            return calls;
        }

        foreach (var call in list)
        {
            var function = call is PyDict c && c.TryGetValue(TemplateString.Data("function"), out var f) ? f as PyDict : null;
            var key = TemplateString.Data("arguments");
            if (function is null || !function.TryGetValue(key, out var arguments))
            {
                continue;
            }

            if (!stringArguments && arguments is TemplateString json)
            {
                function[key] = TryParseJson(json.Text) ?? arguments;
            }
            else if (stringArguments && arguments is PyDict or List<object?>)
            {
                function[key] = TemplateString.Data(PyJson.Dumps(arguments).Text);
            }
        }

        return list;
    }

    private static object? TryParseJson(string json)
    {
        try
        {
            return PlainValues.FromJson(json, TextOrigin.Data);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a model's malformed call sent back): the template gets the text as it came.
            return null;
        }
    }

    private bool ProbeTypedContent()
    {
        var messages = new[] { new Dictionary<string, object?> { ["role"] = "user", ["content"] = Probe } };
        if (Renders(new ChatTemplateInput { Messages = messages }, typedContent: false, stringArguments: false))
        {
            return false;
        }

        return Renders(new ChatTemplateInput { Messages = messages }, typedContent: true, stringArguments: false);
    }

    private bool ProbeStringArguments()
    {
        var call = new Dictionary<string, object?>
        {
            ["id"] = "call12345",
            ["type"] = "function",
            ["function"] = new Dictionary<string, object?> { ["name"] = "probe_tool", ["arguments"] = $"{{\"probe_argument\": \"{Probe}\"}}" },
        };
        var messages = new IReadOnlyDictionary<string, object?>[]
        {
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Hi" },
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new[] { call } },
        };
        var input = new ChatTemplateInput { Messages = messages, AddGenerationPrompt = false };
        return !Renders(input, NeedsTypedContent, stringArguments: false) && Renders(input, NeedsTypedContent, stringArguments: true);
    }

    private bool Renders(ChatTemplateInput input, bool typedContent, bool stringArguments)
    {
        try
        {
            return Render(input, typedContent, stringArguments, limits: null, clock: null).Text.Contains(Probe, StringComparison.Ordinal);
        }
        catch (TemplateException)
        {
            return false;
        }
    }
}
