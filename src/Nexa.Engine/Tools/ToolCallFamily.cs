namespace Nexa.Engine.Tools;

/// <summary>The markup a model family writes its tool calls in (see <see cref="ToolCallFormats.Detect"/>).</summary>
public enum ToolCallFamily
{
    /// <summary>No known family: the answer is one JSON object, <c>{"tool_calls": […]}</c> or <c>{"name": …, "arguments": …}</c>.</summary>
    GenericJson,

    /// <summary>Hermes 2/3, Qwen 2.5, Qwen3: <c>&lt;tool_call&gt;{"name": …, "arguments": …}&lt;/tool_call&gt;</c>.</summary>
    Hermes,

    /// <summary>Qwen3-Coder: <c>&lt;tool_call&gt;&lt;function=NAME&gt;&lt;parameter=P&gt;VALUE&lt;/parameter&gt;&lt;/function&gt;&lt;/tool_call&gt;</c>.</summary>
    Qwen3Coder,

    /// <summary>Llama 3.1–3.3: the whole answer a JSON object <c>{"name": …, "parameters": …}</c>, or after <c>&lt;|python_tag|&gt;</c>.</summary>
    Llama3,

    /// <summary>Mistral 7B v0.3, Nemo, Small 2409/2501: <c>[TOOL_CALLS][{"name": …, "arguments": …}]</c>.</summary>
    MistralJsonArray,

    /// <summary>Mistral Small 3.2, Magistral, Devstral, Ministral 3: <c>[TOOL_CALLS]NAME[ARGS]{…}</c> per call.</summary>
    MistralNameArgs,

    /// <summary>DeepSeek R1 and V3 (and V3.1's shorter call form): calls between <c>&lt;｜tool▁calls▁begin｜&gt;</c> and <c>&lt;｜tool▁calls▁end｜&gt;</c>.</summary>
    DeepSeek,

    /// <summary>gpt-oss (OpenAI harmony): messages on channels; <c>commentary to=functions.NAME</c> is a call, <c>analysis</c> is reasoning.</summary>
    GptOss,
}
