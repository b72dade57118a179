using System.Globalization;
using System.Text;
using LLama;
using LLama.Exceptions;
using LLama.Native;
using Nexa.Engine.Templates;
using Nexa.Engine.Vision;

namespace Nexa.Engine.Text;

/// <summary>A chat rendered through the model's template and tokenized, ready for the scheduler.</summary>
/// <param name="Tokens">
/// One entry per position: text tokens, and for each image its <see cref="PromptImage.Positions"/> pseudo tokens
/// (see <see cref="PromptImage.PseudoToken"/>), which the scheduler evaluates through the projector instead.
/// </param>
/// <param name="StartsInThinking">The prompt ends inside an opened &lt;think&gt; block, so the answer starts as reasoning.</param>
internal sealed record ChatPrompt(LLamaToken[] Tokens, bool StartsInThinking) : IDisposable
{
    /// <summary>The prompt's images in order; their pixels are held (natively) until the prompt is disposed.</summary>
    public IReadOnlyList<PromptImage> Images { get; init; } = [];

    /// <summary>KV cells the prompt fills: more than its positions when an image has fewer positions than embeddings (M-RoPE).</summary>
    public int Cells => Tokens.Length + Images.Sum(i => i.Tokens - i.Positions);

    public void Dispose()
    {
        foreach (var image in Images)
        {
            image.Dispose();
        }
    }
}

/// <summary>
/// Renders a chat with the GGUF's own Jinja template (<c>tokenizer.chat_template</c>, through
/// <see cref="ChatTemplate"/>: tools, thinking switches and template variables work as in transformers) and tokenizes
/// it so that only the template can produce control tokens: a user who writes "&lt;|im_end|&gt;" gets those
/// characters, not the end of their turn. A GGUF without a template, or with one our engine cannot parse, is
/// prompted through llama.cpp's built-in formatters (ChatML when llama.cpp does not recognise it either).
/// </summary>
/// <remarks>
/// The renderer tags every character with its origin: the template's own text, or data from the request (contents,
/// tool results, names, arguments, and whatever filters and string methods made of them), or an image. Control
/// tokens are looked for in the template's text only; each run between two control tokens, template text and data
/// together, is tokenized with special tokens off. That is how llama.cpp tokenizes a whole prompt (control tokens
/// first, then each run of text between them, SentencePiece's leading space included), so ordinary chats get the
/// same tokens as llama.cpp would give them, minus any control token smuggled in through the request.
/// </remarks>
internal sealed partial class ChatPromptBuilder
{
    private static readonly HashSet<string> Roles = new(["system", "user", "assistant", "tool"], StringComparer.Ordinal);

    private readonly LLamaWeights _weights;
    private readonly LinearTokenizer _text;
    private readonly VisionProjector? _vision;
    private readonly Lock _visionLock = new();
    private readonly ChatTemplate? _template;
    private readonly string _modelName;
    private readonly bool _useChatMl;

    public ChatPromptBuilder(LLamaWeights weights, LinearTokenizer text, VisionProjector? vision = null, string? modelName = null)
    {
        _weights = weights;
        _text = text;
        _vision = vision;
        _modelName = modelName ?? weights.Metadata.GetValueOrDefault("general.name") ?? "the model";
        var source = weights.Metadata.GetValueOrDefault("tokenizer.chat_template");
        HasTemplate = source is not null;
        if (source is not null)
        {
            try
            {
                _template = ChatTemplate.Parse(source);
            }
            catch (TemplateSyntaxException e)
            {
                NativeLogging.Note($"{_modelName}'s chat template is Jinja our engine cannot parse ({e.Message}); prompting with llama.cpp's built-in template");
            }
        }

        if (HasTemplate && _template is null && !TemplateIsKnown(weights))
        {
            _useChatMl = true;
            NativeLogging.Note("the model's chat template is not one llama.cpp's formatters recognise either; prompting with ChatML");
        }
    }

    /// <summary>The GGUF carries a chat template (which may still not be the one that renders prompts).</summary>
    public bool HasTemplate { get; }

    /// <summary>Prompts come from the GGUF's own template, rendered by our Jinja engine.</summary>
    public bool RendersGgufTemplate => _template is not null;

    /// <summary>Neither our engine nor llama.cpp's formatters could use the GGUF's template, so chats are prompted with ChatML.</summary>
    public bool FellBackToChatMl => _useChatMl;

    /// <param name="tools">The tools offered (the template's <c>tools</c>, in OpenAI's shape).</param>
    /// <param name="templateKwargsJson">The request's chat_template_kwargs: a JSON object's text, or null.</param>
    public ChatPrompt Build(IReadOnlyList<ChatMessage> messages, bool enableThinking,
        IReadOnlyList<ChatTool>? tools = null, string? templateKwargsJson = null)
    {
        Validate(messages);
        ValidateImages(messages);
        var imageRefs = ImageRefs(messages);
        var rendered = _template is not null
            ? RenderTemplate(messages, imageRefs, enableThinking, TemplateValues.Tools(tools), TemplateValues.Variables(templateKwargsJson))
            : RenderBuiltIn(messages, imageRefs);
        CheckImagesKept(rendered, imageRefs);

        var images = new List<PromptImage>();
        try
        {
            var tokens = Tokenize(rendered.Segments, messages, imageRefs, images);
            var bos = _weights.Vocab.BOS;
            if (_weights.Vocab.ShouldAddBOS && bos is { } b && (tokens.Count == 0 || tokens[0] != b))
            {
                tokens.Insert(0, b);
                foreach (var image in images)
                {
                    image.Start++;
                }
            }

            if (images.Count > 0 && images[^1].End >= tokens.Count)
            {
                // The answer's first logits come from the last prompt token, which must be text.
                throw new EngineException(EngineErrorKind.InvalidRequest, "the chat template put an image at the very end of the prompt: not supported yet", ErrorCodes.UnsupportedParameter, "messages");
            }

            // Only the template's own text (its generation prompt) can open the answer's thinking block.
            var last = rendered.Segments.LastOrDefault(s => s.Text.AsSpan().Trim().Length > 0);
            var startsInThinking = last.Origin == TextOrigin.Template && last.Text.TrimEnd().EndsWith("<think>", StringComparison.Ordinal);
            return new ChatPrompt([.. tokens], startsInThinking) { Images = images };
        }
        catch
        {
            foreach (var image in images)
            {
                image.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The chat as the template renders it, generation prompt included: the text <see cref="Build"/> tokenizes, without
    /// the BOS the vocabulary adds by itself (llama-server's <c>/apply-template</c>). Same checks and template errors as
    /// <see cref="Build"/>, no tokenization. Images are refused: in a prompt each is a place mtmd fills, not text.
    /// </summary>
    public string RenderText(IReadOnlyList<ChatMessage> messages, bool enableThinking,
        IReadOnlyList<ChatTool>? tools = null, string? templateKwargsJson = null)
    {
        Validate(messages);
        if (messages.Any(m => m.Images is { Count: > 0 }))
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, "not supported yet: images in a rendered prompt", ErrorCodes.UnsupportedParameter, "messages");
        }

        var rendered = _template is not null
            ? RenderTemplate(messages, [], enableThinking, TemplateValues.Tools(tools), TemplateValues.Variables(templateKwargsJson))
            : RenderBuiltIn(messages, []);
        return rendered.Text;
    }

    private RenderedText RenderTemplate(IReadOnlyList<ChatMessage> messages, List<(int Message, int Index)> imageRefs, bool enableThinking,
        IReadOnlyList<object?>? tools, IReadOnlyDictionary<string, object?> variables)
    {
        var input = new ChatTemplateInput
        {
            Messages = [.. messages.Select((m, i) => TemplateValues.Message(m, ImagesOf(m, i, imageRefs)))],
            Tools = tools,
            BosToken = TokenText(_weights.Vocab.BOS),
            EosToken = TokenText(_weights.Vocab.EOS),
            Switches = new Dictionary<string, object?> { ["enable_thinking"] = enableThinking },
            Variables = variables,
        };
        try
        {
            return _template!.Render(input);
        }
        catch (TemplateRaisedException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"{_modelName}'s chat template refused this chat: {e.TemplateMessage}",
                ErrorCodes.ChatTemplateError, "messages", e);
        }
        catch (TemplateException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"{_modelName}'s chat template failed on this chat: {e.Message}",
                ErrorCodes.ChatTemplateError, "messages", e);
        }
    }

    /// <summary>Numbers every image of the chat in order: (message, index in its Images).</summary>
    private static List<(int Message, int Index)> ImageRefs(IReadOnlyList<ChatMessage> messages)
    {
        var refs = new List<(int, int)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var images = messages[i].Images ?? [];
            refs.AddRange(images.Select((image, j) => (image.Position, j)).OrderBy(p => p.Position).Select(p => (i, p.j)));
        }

        return refs;
    }

    internal static List<(int Position, int Id)> ImagesOf(ChatMessage message, int index, List<(int Message, int Index)> imageRefs) =>
        [.. imageRefs.Select((r, id) => (r, id)).Where(p => p.r.Message == index).Select(p => (message.Images[p.r.Index].Position, p.id))];

    private void CheckImagesKept(RenderedText rendered, List<(int Message, int Index)> imageRefs)
    {
        var counts = new int[imageRefs.Count];
        foreach (var segment in rendered.Segments.Where(s => s.Origin == TextOrigin.Image))
        {
            counts[segment.Image]++;
        }

        for (var id = 0; id < counts.Length; id++)
        {
            if (counts[id] != 1)
            {
                var (message, index) = imageRefs[id];
                throw new EngineException(EngineErrorKind.InvalidRequest,
                    $"{_modelName}'s chat template {(counts[id] == 0 ? "left out" : "repeated")} messages[{message}] image {index}: it cannot place images in this chat",
                    ErrorCodes.ChatTemplateError, "messages");
            }
        }
    }

    private string TokenText(LLamaToken? token) => token is { } t ? _weights.Vocab.LLamaTokenToString(t, true) ?? "" : "";

    private void ValidateImages(IReadOnlyList<ChatMessage> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var images = messages[i].Images ?? [];
            if (images.Count == 0)
            {
                continue;
            }

            if (_vision is null)
            {
                throw new EngineException(EngineErrorKind.InvalidRequest,
                    $"messages[{i}] has an image, but this model cannot see images: it has no vision projector (mmproj) loaded",
                    ErrorCodes.ModelNotSupported, "messages");
            }

            var length = messages[i].Content?.Length ?? 0;
            for (var j = 0; j < images.Count; j++)
            {
                if (images[j] is null || images[j].Position < 0 || images[j].Position > length)
                {
                    throw new EngineException(EngineErrorKind.InvalidRequest,
                        $"messages[{i}] image {j} sits at position {images[j]?.Position}, outside its content (0..{length})", ErrorCodes.InvalidValue, "messages");
                }
            }
        }
    }

    private static void Validate(IReadOnlyList<ChatMessage> messages)
    {
        if (messages is null || messages.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, "messages must hold at least one message", ErrorCodes.InvalidValue, "messages");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i]?.Role;
            if (role is null || !Roles.Contains(role))
            {
                throw new EngineException(EngineErrorKind.InvalidRequest,
                    $"messages[{i}].role '{role}' is not one of system, user, assistant, tool", ErrorCodes.InvalidValue, "messages");
            }
        }
    }

    private static bool TemplateIsKnown(LLamaWeights weights)
    {
        try
        {
            var probe = new LLamaTemplate(weights, strict: false) { AddAssistant = true };
            probe.Add("user", "hi");
            _ = probe.Apply();
            return true;
        }
        catch (Exception e) when (e is MissingTemplateException or TemplateNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// llama.cpp's built-in formatters, for a GGUF without a usable Jinja template: rendered with a unique placeholder
    /// in place of each message's content, which is then put back as data.
    /// </summary>
    private RenderedText RenderBuiltIn(IReadOnlyList<ChatMessage> messages, List<(int Message, int Index)> imageRefs)
    {
        var nonce = Guid.NewGuid().ToString("N");
        string text;
        try
        {
            text = RenderBuiltIn(_useChatMl ? new LLamaTemplate("chatml") : new LLamaTemplate(_weights, strict: false), messages, nonce);
        }
        catch (Exception e) when (!_useChatMl && e is MissingTemplateException or TemplateNotFoundException)
        {
            NativeLogging.Note($"the model's chat template could not render this chat ({e.Message.TrimEnd('\0')}); prompting with ChatML");
            text = RenderBuiltIn(new LLamaTemplate("chatml"), messages, nonce);
        }

        var prefix = $"[[nexa-{nonce}-";
        var builder = new TemplateStringBuilder();
        var cursor = 0;
        while (true)
        {
            var at = text.IndexOf(prefix, cursor, StringComparison.Ordinal);
            var end = at < 0 ? -1 : text.IndexOf("]]", at + prefix.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                builder.Append(text.AsSpan(cursor), TextOrigin.Template);
                return new RenderedText(builder.ToTemplateString());
            }

            builder.Append(text.AsSpan(cursor, at - cursor), TextOrigin.Template);
            var index = int.Parse(text.AsSpan(at + prefix.Length, end - at - prefix.Length), CultureInfo.InvariantCulture);
            builder.Append(TemplateString.DataWithImages(messages[index].Content ?? "", ImagesOf(messages[index], index, imageRefs)));
            cursor = end + 2;
        }
    }

    private static string RenderBuiltIn(LLamaTemplate template, IReadOnlyList<ChatMessage> messages, string nonce)
    {
        template.AddAssistant = true;
        for (var i = 0; i < messages.Count; i++)
        {
            template.Add(messages[i].Role, $"[[nexa-{nonce}-{i.ToString(CultureInfo.InvariantCulture)}]]");
        }

        return Encoding.UTF8.GetString(template.Apply());
    }
}
