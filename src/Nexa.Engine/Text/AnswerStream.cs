using System.Text;
using LLama;
using LLama.Native;
using Nexa.Engine.Tools;

namespace Nexa.Engine.Text;

/// <summary>
/// One generation's tokens turned into what the client sees: whole UTF-8 characters (a character split across
/// tokens waits for its last byte), control tokens never rendered, stop strings and thinking tags handled by
/// <see cref="AnswerTextFilter"/>, and, when the request offered tools, calls parsed out of the text by the family's
/// <see cref="ToolCallStream"/>.
/// </summary>
internal sealed class AnswerStream
{
    private readonly LLamaWeights _weights;
    private readonly StreamingTokenDecoder _decoder;
    private readonly AnswerTextFilter _filter;
    private readonly ToolCallStream? _tools;
    private readonly HashSet<int> _preserved;
    private readonly List<TextDelta> _text = [];

    public AnswerStream(LLamaWeights weights, IEnumerable<string> stops, bool startInThinking, ToolAnswerPlan? tools = null)
    {
        _weights = weights;
        // DecodeSpecialTokens stays off: control tokens such as <|im_end|> render as nothing (and LLamaSharp
        // drops special tokens longer than 16 bytes when it is on, so it could not render them reliably anyway).
        // The control tokens of a tool call family's markup ([TOOL_CALLS], <|python_tag|>…) are rendered one by one.
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, weights) { DecodeSpecialTokens = false };
        _filter = new AnswerTextFilter(stops, startInThinking);
        _tools = tools?.CreateStream();
        _preserved = [.. tools?.PreservedTokens ?? []];
    }

    /// <summary>A stop string was generated: the answer is complete.</summary>
    public bool Stopped => _filter.Stopped;

    /// <summary>The parsed answer once <see cref="Finish"/> ran, when the request offered tools.</summary>
    public ToolCallAnswer? ToolAnswer { get; private set; }

    /// <summary>Adds a generated token and appends what it completes to <paramref name="output"/>.</summary>
    public void Add(LLamaToken token, List<GenerationEvent> output)
    {
        _text.Clear();
        if (_preserved.Contains((int)token))
        {
            _filter.Push(_decoder.Read(), _text);
            _filter.Push(_weights.Vocab.LLamaTokenToString(token, true) ?? "", _text);
        }
        else
        {
            _decoder.Add(token);
            _filter.Push(_decoder.Read(), _text);
        }

        Forward(output);
    }

    /// <summary>Ends the answer: appends what was held back. Bytes of an unfinished character are dropped.</summary>
    public void Finish(List<GenerationEvent> output)
    {
        _text.Clear();
        _filter.Flush(_text);
        Forward(output);
        if (_tools is not null)
        {
            ToolAnswer = _tools.Finish(output);
        }
    }

    private void Forward(List<GenerationEvent> output)
    {
        foreach (var delta in _text)
        {
            if (_tools is null)
            {
                output.Add(delta);
            }
            else
            {
                _tools.Push(delta, output);
            }
        }
    }
}
