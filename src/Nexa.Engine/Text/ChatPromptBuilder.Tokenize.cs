using System.Text;
using LLama.Native;
using Nexa.Engine.Templates;
using Nexa.Engine.Vision;

namespace Nexa.Engine.Text;

// Tokenizing a rendered prompt: control tokens only from the template's own text, everything between them with
// special tokens off, images where the renderer left them.
internal sealed partial class ChatPromptBuilder
{
    // C's isspace, which llama.cpp uses when it strips beside lstrip/rstrip tokens.
    private static readonly char[] AsciiWhitespace = [' ', '\t', '\n', '\v', '\f', '\r'];

    private List<LLamaToken> Tokenize(IReadOnlyList<TextSegment> segments, IReadOnlyList<ChatMessage> messages,
        List<(int Message, int Index)> imageRefs, List<PromptImage> images)
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

        foreach (var segment in segments)
        {
            switch (segment.Origin)
            {
                case TextOrigin.Data:
                    run.Append(segment.Text);
                    break;
                case TextOrigin.Image:
                    // The image's own wrapper tokens come from mtmd, never from text; the text on either side is
                    // tokenized (special tokens off) on its own, as llama.cpp's mtmd does around its markers.
                    FlushRun(trimEnd: false);
                    var (message, index) = imageRefs[segment.Image];
                    PromptImage prepared;
                    // mtmd's preprocessing is not documented as safe to run twice at once: one image at a time per model.
                    lock (_visionLock)
                    {
                        prepared = _vision!.Prepare(messages[message].Images[index], $"messages[{message}] image {index}");
                    }

                    images.Add(prepared);
                    tokens.AddRange(prepared.Before);
                    prepared.Start = tokens.Count;
                    for (var k = 0; k < prepared.Positions; k++)
                    {
                        tokens.Add(PromptImage.PseudoToken(prepared.Hash, k));
                    }

                    tokens.AddRange(prepared.After);
                    break;
                default:
                    AddTemplateText(segment.Text);
                    break;
            }
        }

        FlushRun(trimEnd: false);
        return tokens;

        void AddTemplateText(string text)
        {
            var cursor = 0;
            foreach (var token in _weights.Tokenize(text, false, true, Encoding.UTF8))
            {
                var attributes = token.GetAttributes(vocab);
                if ((attributes & LLamaTokenAttr.Control) == 0)
                {
                    continue;
                }

                var marker = vocab.LLamaTokenToString(token, true) ?? "";
                var at = marker.Length == 0 ? -1 : text.IndexOf(marker, cursor, StringComparison.Ordinal);
                if (at < 0)
                {
                    // Cannot place the control token in the text (should not happen): keep the template's own
                    // tokenization of what is left of this piece rather than guess.
                    FlushRun(trimEnd: false);
                    tokens.AddRange(_weights.Tokenize(text[cursor..], false, true, Encoding.UTF8));
                    cursor = text.Length;
                    break;
                }

                run.Append(text, cursor, at - cursor);
                // llama.cpp eats the whitespace beside tokens marked lstrip/rstrip; so do we.
                FlushRun(trimEnd: (attributes & LLamaTokenAttr.LStrip) != 0);
                tokens.Add(token);
                trimRunStart = (attributes & LLamaTokenAttr.RStrip) != 0;
                cursor = at + marker.Length;
            }

            run.Append(text, cursor, text.Length - cursor);
        }
    }
}
