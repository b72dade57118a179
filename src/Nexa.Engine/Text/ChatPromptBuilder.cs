using System.Globalization;
using System.Text;
using LLama;
using LLama.Exceptions;
using LLama.Native;
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
/// Renders a chat with the GGUF's template (llama.cpp's built-in formatters; ChatML when the GGUF has none or
/// one llama.cpp does not recognise) and tokenizes it so that only the template can produce control tokens:
/// a user who writes "&lt;|im_end|&gt;" gets those characters, not the end of their turn.
/// </summary>
/// <remarks>
/// The template is rendered with a unique placeholder in place of each message's content. The rendered text is
/// then cut into the template's control tokens and the plain text between them, where message contents are put
/// back in; each plain run is tokenized with special tokens off. That is exactly how llama.cpp tokenizes a whole
/// prompt (control tokens first, then each run of text between them, SentencePiece's leading space included), so
/// ordinary chats get the same tokens as before, minus any control token smuggled in through content.
/// </remarks>
internal sealed class ChatPromptBuilder
{
    /// <summary>Qwen3's template renders this after the generation prompt when thinking is switched off.</summary>
    private const string EmptyThinking = "<think>\n\n</think>\n\n";

    // C's isspace, which llama.cpp uses when it strips beside lstrip/rstrip tokens.
    private static readonly char[] AsciiWhitespace = [' ', '\t', '\n', '\v', '\f', '\r'];

    private static readonly HashSet<string> Roles = new(["system", "user", "assistant", "tool"], StringComparer.Ordinal);

    private readonly LLamaWeights _weights;
    private readonly LinearTokenizer _text;
    private readonly VisionProjector? _vision;
    private readonly Lock _visionLock = new();
    private readonly bool _useChatMl;
    private readonly bool _hasThinkingSwitch;

    public ChatPromptBuilder(LLamaWeights weights, LinearTokenizer text, VisionProjector? vision = null)
    {
        _weights = weights;
        _text = text;
        _vision = vision;
        var template = weights.Metadata.GetValueOrDefault("tokenizer.chat_template");
        HasTemplate = template is not null;
        _hasThinkingSwitch = template is not null && template.Contains("enable_thinking", StringComparison.Ordinal)
            && template.Contains("<think>", StringComparison.Ordinal);
        if (HasTemplate && !TemplateIsKnown(weights))
        {
            _useChatMl = true;
            NativeLogging.Note("the model's chat template is not one llama.cpp's formatters recognise; prompting with ChatML");
        }
    }

    /// <summary>The GGUF carries a chat template (which may still have fallen back to ChatML).</summary>
    public bool HasTemplate { get; }

    /// <summary>The GGUF's template is one llama.cpp does not recognise, so chats are prompted with ChatML.</summary>
    public bool FellBackToChatMl => _useChatMl;

    public ChatPrompt Build(IReadOnlyList<ChatMessage> messages, bool enableThinking)
    {
        Validate(messages);
        ValidateImages(messages);
        var nonce = Guid.NewGuid().ToString("N");
        var rendered = Render(messages, nonce);
        if (!enableThinking && _hasThinkingSwitch)
        {
            rendered += EmptyThinking;
        }

        var fragments = Split(rendered, nonce, messages);
        var images = new List<PromptImage>();
        try
        {
            var tokens = Tokenize(fragments, messages, images);
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

            // Split always ends with the template's own text (the generation prompt).
            var startsInThinking = fragments[^1].Text.TrimEnd().EndsWith("<think>", StringComparison.Ordinal);
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

    private string Render(IReadOnlyList<ChatMessage> messages, string nonce)
    {
        try
        {
            return Render(_useChatMl ? new LLamaTemplate("chatml") : new LLamaTemplate(_weights, strict: false), messages, nonce);
        }
        catch (Exception e) when (!_useChatMl && e is MissingTemplateException or TemplateNotFoundException)
        {
            NativeLogging.Note($"the model's chat template could not render this chat ({e.Message.TrimEnd('\0')}); prompting with ChatML");
            return Render(new LLamaTemplate("chatml"), messages, nonce);
        }
    }

    private static string Render(LLamaTemplate template, IReadOnlyList<ChatMessage> messages, string nonce)
    {
        template.AddAssistant = true;
        for (var i = 0; i < messages.Count; i++)
        {
            template.Add(messages[i].Role, Placeholder(nonce, i));
        }

        return Encoding.UTF8.GetString(template.Apply());
    }

    private static string Placeholder(string nonce, int index) => $"[[nexa-{nonce}-{index.ToString(CultureInfo.InvariantCulture)}]]";

    /// <summary>Cuts the rendered prompt into template text and message contents, in order.</summary>
    private static List<Fragment> Split(string rendered, string nonce, IReadOnlyList<ChatMessage> messages)
    {
        var prefix = $"[[nexa-{nonce}-";
        var fragments = new List<Fragment>();
        var cursor = 0;
        while (true)
        {
            var at = rendered.IndexOf(prefix, cursor, StringComparison.Ordinal);
            var end = at < 0 ? -1 : rendered.IndexOf("]]", at + prefix.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                fragments.Add(new Fragment(rendered[cursor..], IsContent: false));
                return fragments;
            }

            fragments.Add(new Fragment(rendered[cursor..at], IsContent: false));
            var index = int.Parse(rendered.AsSpan(at + prefix.Length, end - at - prefix.Length), CultureInfo.InvariantCulture);
            fragments.Add(new Fragment(messages[index].Content ?? "", IsContent: true, index));
            cursor = end + 2;
        }
    }

    private List<LLamaToken> Tokenize(List<Fragment> fragments, IReadOnlyList<ChatMessage> messages, List<PromptImage> images)
    {
        var vocab = _weights.Vocab;
        var tokens = new List<LLamaToken>();
        var run = new StringBuilder();
        var trimRunStart = false;

        void FlushRun(bool trimEnd)
        {
            var text = run.ToString();
            if (trimRunStart)
            {
                text = text.TrimStart(AsciiWhitespace);
            }

            if (trimEnd)
            {
                text = text.TrimEnd(AsciiWhitespace);
            }

            // Special tokens off: user text that spells a control token is text. Linear, however long the run.
            tokens.AddRange(_text.Tokenize(text));
            run.Clear();
            trimRunStart = false;
        }

        // An image goes where its position says, between runs of user text that are tokenized (special tokens off)
        // on either side of it: the image's own wrapper tokens come from mtmd, never from the text.
        void AddImages(int message, int from, int to, ref int next)
        {
            var list = messages[message].Images ?? [];
            var ordered = list.Select((image, index) => (image, index)).OrderBy(p => p.image.Position).ToList();
            var text = messages[message].Content ?? "";
            var cursor = from;
            while (next < ordered.Count && ordered[next].image.Position <= to)
            {
                var (image, index) = ordered[next];
                run.Append(text, cursor, image.Position - cursor);
                cursor = image.Position;
                FlushRun(trimEnd: false);
                PromptImage prepared;
                // mtmd's preprocessing is not documented as safe to run twice at once: one image at a time per model.
                lock (_visionLock)
                {
                    prepared = _vision!.Prepare(image, $"messages[{message}] image {index}");
                }

                images.Add(prepared);
                tokens.AddRange(prepared.Before);
                prepared.Start = tokens.Count;
                for (var k = 0; k < prepared.Positions; k++)
                {
                    tokens.Add(PromptImage.PseudoToken(prepared.Hash, k));
                }

                tokens.AddRange(prepared.After);
                next++;
            }

            run.Append(text, cursor, to - cursor);
        }

        foreach (var fragment in fragments)
        {
            if (fragment.IsContent)
            {
                if (messages[fragment.Message].Images is { Count: > 0 })
                {
                    var next = 0;
                    AddImages(fragment.Message, 0, fragment.Text.Length, ref next);
                }
                else
                {
                    run.Append(fragment.Text);
                }

                continue;
            }

            var cursor = 0;
            foreach (var token in _weights.Tokenize(fragment.Text, false, true, Encoding.UTF8))
            {
                var attributes = token.GetAttributes(vocab);
                if ((attributes & LLamaTokenAttr.Control) == 0)
                {
                    continue;
                }

                var marker = vocab.LLamaTokenToString(token, true) ?? "";
                var at = marker.Length == 0 ? -1 : fragment.Text.IndexOf(marker, cursor, StringComparison.Ordinal);
                if (at < 0)
                {
                    // Cannot place the control token in the text (should not happen): keep the template's own
                    // tokenization of what is left of this piece rather than guess.
                    FlushRun(trimEnd: false);
                    tokens.AddRange(_weights.Tokenize(fragment.Text[cursor..], false, true, Encoding.UTF8));
                    cursor = fragment.Text.Length;
                    break;
                }

                run.Append(fragment.Text, cursor, at - cursor);
                // llama.cpp eats the whitespace beside tokens marked lstrip/rstrip; so do we.
                FlushRun(trimEnd: (attributes & LLamaTokenAttr.LStrip) != 0);
                tokens.Add(token);
                trimRunStart = (attributes & LLamaTokenAttr.RStrip) != 0;
                cursor = at + marker.Length;
            }

            run.Append(fragment.Text, cursor, fragment.Text.Length - cursor);
        }

        FlushRun(trimEnd: false);
        return tokens;
    }

    private readonly record struct Fragment(string Text, bool IsContent, int Message = -1);
}
