namespace Nexa.Engine.Tools;

/// <summary>
/// Finds a model's tool call family from its Jinja chat template (GGUF <c>tokenizer.chat_template</c>): each
/// family's template writes the markup it was trained on when it renders earlier calls, so a marker unique to
/// that markup names the family. Markers are checked from the most specific to the least (Qwen3-Coder's template
/// also contains Hermes' <c>&lt;tool_call&gt;</c>); a template with none of them gets the generic JSON format.
/// </summary>
public static class ToolCallFormats
{
    public static IToolCallFormat Detect(string? chatTemplate)
    {
        var template = chatTemplate ?? "";
        bool Has(string marker) => template.Contains(marker, StringComparison.Ordinal);

        if (Has(DeepSeekParser.CallsBegin))
        {
            // R1 (and V3) fence the arguments as ```json after "function<｜tool▁sep｜>NAME"; V3.1 writes NAME<｜tool▁sep｜>{…}.
            return new DeepSeekFormat(fencedArguments: Has("```json"));
        }

        if (Has("<|channel|>") && Has("<|message|>"))
        {
            return new GptOssFormat();
        }

        if (Has(HermesParser.Open) && Has(Qwen3CoderParser.FunctionOpen) && Has(Qwen3CoderParser.ParameterOpen))
        {
            return new Qwen3CoderFormat();
        }

        if (Has(HermesParser.Open))
        {
            return new HermesFormat();
        }

        if (Has(MistralParser.CallsOpen))
        {
            return Has(MistralParser.ArgsMarker)
                ? new MistralFormat(ToolCallFamily.MistralNameArgs, withCallId: Has(MistralParser.CallIdMarker), thinking: Has(MistralParser.ThinkOpen))
                : new MistralFormat(ToolCallFamily.MistralJsonArray, withCallId: false, thinking: Has(MistralParser.ThinkOpen));
        }

        // Llama 3.1+ templates render tool results in the ipython role; 3.0 and earlier have no tool calling.
        if (Has("<|start_header_id|>") && (Has("ipython") || Has(Llama3Parser.PythonTag)))
        {
            return new Llama3Format(pythonTag: Has(Llama3Parser.PythonTag));
        }

        return new GenericJsonFormat();
    }

    /// <summary>A family's format with its defaults (for a template of that family, use <see cref="Detect"/>).</summary>
    public static IToolCallFormat For(ToolCallFamily family) => family switch
    {
        ToolCallFamily.Hermes => new HermesFormat(),
        ToolCallFamily.Qwen3Coder => new Qwen3CoderFormat(),
        ToolCallFamily.Llama3 => new Llama3Format(pythonTag: true),
        ToolCallFamily.MistralJsonArray => new MistralFormat(family, withCallId: false, thinking: false),
        ToolCallFamily.MistralNameArgs => new MistralFormat(family, withCallId: false, thinking: true),
        ToolCallFamily.DeepSeek => new DeepSeekFormat(fencedArguments: true),
        ToolCallFamily.GptOss => new GptOssFormat(),
        _ => new GenericJsonFormat(),
    };
}
