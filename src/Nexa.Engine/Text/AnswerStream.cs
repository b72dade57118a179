using System.Text;
using LLama;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// One generation's tokens turned into what the client sees: whole UTF-8 characters (a character split across
/// tokens waits for its last byte), control tokens never rendered, stop strings and thinking tags handled by
/// <see cref="AnswerTextFilter"/>.
/// </summary>
internal sealed class AnswerStream
{
    private readonly StreamingTokenDecoder _decoder;
    private readonly AnswerTextFilter _filter;

    public AnswerStream(LLamaWeights weights, IEnumerable<string> stops, bool startInThinking)
    {
        // DecodeSpecialTokens stays off: control tokens such as <|im_end|> render as nothing (and LLamaSharp
        // drops special tokens longer than 16 bytes when it is on, so it could not render them reliably anyway).
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, weights) { DecodeSpecialTokens = false };
        _filter = new AnswerTextFilter(stops, startInThinking);
    }

    /// <summary>A stop string was generated: the answer is complete.</summary>
    public bool Stopped => _filter.Stopped;

    /// <summary>Adds a generated token and appends the text it completes to <paramref name="output"/>.</summary>
    public void Add(LLamaToken token, List<TextDelta> output)
    {
        _decoder.Add(token);
        _filter.Push(_decoder.Read(), output);
    }

    /// <summary>Ends the answer: appends what was held back. Bytes of an unfinished character are dropped.</summary>
    public void Finish(List<TextDelta> output) => _filter.Flush(output);
}
