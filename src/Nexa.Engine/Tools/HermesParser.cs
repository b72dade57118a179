namespace Nexa.Engine.Tools;

/// <summary>
/// Hermes 2/3, Qwen 2.5 and Qwen3: answer text with calls between tags, each a JSON call object:
/// <c>&lt;tool_call&gt;\n{"name": "f", "arguments": {…}}\n&lt;/tool_call&gt;</c>, as many as the model writes.
/// </summary>
internal sealed class HermesParser : ToolCallParser
{
    public const string Open = "<tool_call>";
    public const string Close = "</tool_call>";

    private static readonly string[] OpenMarkers = [Open];

    private enum State { Content, Call, Closing }

    private State _state;
    private JsonCallReader _reader = new();

    protected override bool Step()
    {
        switch (_state)
        {
            case State.Content:
                if (ShowContentUntil(OpenMarkers) is null)
                {
                    return false;
                }

                BeginHold();
                Eat(Open.Length);
                _reader = new JsonCallReader();
                _state = State.Call;
                return true;

            case State.Call:
                var progress = ReadJsonCall(_reader);
                if (progress == CallProgress.Reading)
                {
                    return false;
                }

                _state = progress == CallProgress.Ended && _reader.IsDone ? State.Closing : State.Content;
                return true;

            default:
                if (!SkipSpace() && !Final)
                {
                    return false;
                }

                var close = Expect(Close);
                if (close == Markup.Match.Partial)
                {
                    return false;
                }

                // A missing closing tag is forgiven: whatever follows is answer text again.
                _state = State.Content;
                return Pending.Length > 0;
        }
    }
}
