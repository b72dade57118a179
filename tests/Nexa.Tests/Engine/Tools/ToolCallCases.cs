using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

/// <summary>
/// A scripted answer of one family and what it must parse to: the answer text, the reasoning, and the calls as
/// "name {normalised arguments}" ("name !raw" for arguments that never became complete JSON).
/// </summary>
internal sealed record ToolCallCase(ToolCallFamily Family, string Text, string Content, string[] Calls, string Reasoning = "")
{
    /// <summary>False where arguments wait by design: written before the name, or as a JSON string to decode.</summary>
    public bool StreamsArguments { get; init; } = true;

    public static readonly IReadOnlyDictionary<string, ToolCallCase> All = new Dictionary<string, ToolCallCase>
    {
        // Hermes / Qwen 2.5 / Qwen3
        ["hermes: text before a call, escapes in the arguments"] = new(ToolCallFamily.Hermes,
            "I'll check.\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris \\\"FR\\\"\\n\\u00e9\", \"days\": 3}}\n</tool_call>",
            "I'll check.", ["get_weather {\"city\":\"Paris \\u0022FR\\u0022\\n\\u00E9\",\"days\":3}"]),
        ["hermes: two calls in one answer"] = new(ToolCallFamily.Hermes,
            "<tool_call>{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}</tool_call>\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\": \"x\"}}\n</tool_call>",
            "", ["get_weather {\"city\":\"Oslo\"}", "search {\"query\":\"x\"}"]),
        ["hermes: text between and after calls"] = new(ToolCallFamily.Hermes,
            "A <tool_call>{\"name\": \"ping\", \"arguments\": {}}</tool_call> B <tool_call>{\"name\": \"ping\"}</tool_call> C",
            "A B C", ["ping {}", "ping {}"]),
        ["hermes: no call, tags that are not calls"] = new(ToolCallFamily.Hermes,
            "Use <b>bold</b> or <tool_ x> < tool_call>.", "Use <b>bold</b> or <tool_ x> < tool_call>.", []),
        ["hermes: unfinished tag at the end"] = new(ToolCallFamily.Hermes, "Hello <tool_ca", "Hello <tool_ca", []),
        ["hermes: answer ends before the name"] = new(ToolCallFamily.Hermes, "Hi <tool_call>\n{\"na", "Hi <tool_call>\n{\"na", []),
        ["hermes: malformed call is text"] = new(ToolCallFamily.Hermes,
            "<tool_call>not json</tool_call> done", "<tool_call>not json</tool_call> done", []),
        ["hermes: object without a name is text"] = new(ToolCallFamily.Hermes,
            "<tool_call>{\"arguments\": {}}</tool_call>", "<tool_call>{\"arguments\": {}}</tool_call>", []),
        ["hermes: arguments cut off"] = new(ToolCallFamily.Hermes,
            "<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"ab\\\"c", "", ["search !{\"query\": \"ab\\\"c"]),
        ["hermes: arguments before the name"] = new(ToolCallFamily.Hermes,
            "<tool_call>{\"arguments\": {\"city\": \"Rome\"}, \"id\": 7, \"name\": \"get_weather\"}</tool_call>", "", ["get_weather {\"city\":\"Rome\"}"]) { StreamsArguments = false },
        ["hermes: arguments as a JSON string"] = new(ToolCallFamily.Hermes,
            "<tool_call>{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Rome\\\"}\"}</tool_call>", "", ["get_weather {\"city\":\"Rome\"}"]) { StreamsArguments = false },

        // Qwen3-Coder
        ["qwen3-coder: a call with typed parameters"] = new(ToolCallFamily.Qwen3Coder,
            "Let me look.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nSão Paulo \"centro\"\n</parameter>\n<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>",
            "Let me look.", ["get_weather {\"city\":\"S\\u00E3o Paulo \\u0022centro\\u0022\",\"days\":3}"]),
        ["qwen3-coder: schema types decide, unknown parameters are guessed"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n<function=search>\n<parameter=query>\n42\n</parameter>\n<parameter=filters>\n{\"lang\": \"en\"}\n</parameter>\n<parameter=exact>\ntrue\n</parameter>\n<parameter=extra>\n[1, 2]\n</parameter>\n<parameter=note>\nhello there\n</parameter>\n</function>\n</tool_call>",
            "", ["search {\"query\":\"42\",\"filters\":{\"lang\":\"en\"},\"exact\":true,\"extra\":[1,2],\"note\":\"hello there\"}"]),
        ["qwen3-coder: multi-line value with markup in it"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n<function=search>\n<parameter=query>\nline <b>1</b>\n  line 2\\n\n</parameter>\n</function>\n</tool_call>",
            "", ["search {\"query\":\"line \\u003Cb\\u003E1\\u003C/b\\u003E\\n  line 2\\\\n\"}"]),
        ["qwen3-coder: two calls"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n<function=ping>\n</function>\n</tool_call>\n<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>",
            "", ["ping {}", "get_weather {\"city\":\"Oslo\"}"]),
        ["qwen3-coder: unclosed parameter before the next"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n<parameter=days>\n2\n</function>\n</tool_call>",
            "", ["get_weather {\"city\":\"Oslo\",\"days\":2}"]),
        ["qwen3-coder: Hermes JSON inside the tag"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>", "", ["ping {}"]),
        ["qwen3-coder: cut off inside a value"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar", "", ["get_weather !{\"city\": \"Par"]),
        ["qwen3-coder: not a function after the tag"] = new(ToolCallFamily.Qwen3Coder,
            "<tool_call>\nhello\n</tool_call>", "<tool_call>\nhello\n</tool_call>", []),
        ["qwen3-coder: function tag outside a call is text"] = new(ToolCallFamily.Qwen3Coder,
            "Write <function=f> in XML.", "Write <function=f> in XML.", []),
        ["qwen3-coder: unfinished function tag"] = new(ToolCallFamily.Qwen3Coder,
            "Ok <tool_call>\n<functi", "Ok <tool_call>\n<functi", []),

        // Llama 3.x
        ["llama3: the answer is a call"] = new(ToolCallFamily.Llama3,
            "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", "", ["get_weather {\"city\":\"Paris\"}"]),
        ["llama3: type first, then two calls"] = new(ToolCallFamily.Llama3,
            "{\"type\": \"function\", \"name\": \"search\", \"parameters\": {\"query\": \"x\"}}; {\"name\": \"ping\", \"parameters\": {}}",
            "", ["search {\"query\":\"x\"}", "ping {}"]),
        ["llama3: fenced, with text after"] = new(ToolCallFamily.Llama3,
            "\n```json\n{\"name\": \"ping\", \"arguments\": {}}\n```\nDone.", "Done.", ["ping {}"]),
        ["llama3: other JSON is text"] = new(ToolCallFamily.Llama3, "{\"answer\": 42}", "{\"answer\": 42}", []),
        ["llama3: text that mentions a call is text"] = new(ToolCallFamily.Llama3,
            "Call {\"name\": \"ping\", \"parameters\": {}} later.", "Call {\"name\": \"ping\", \"parameters\": {}} later.", []),
        ["llama3: python tag, built-in call form"] = new(ToolCallFamily.Llama3,
            "<|python_tag|>brave_search.call(query=\"weather in \\\"Paris\\\"\", count=3)", "", ["brave_search {\"query\":\"weather in \\u0022Paris\\u0022\",\"count\":3}"]),
        ["llama3: python tag with a JSON call after text"] = new(ToolCallFamily.Llama3,
            "Sure.<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}", "Sure.", ["get_weather {\"city\":\"Oslo\"}"]),
        ["llama3: unfinished python tag"] = new(ToolCallFamily.Llama3, "Hm <|python_ta", "Hm <|python_ta", []),
        ["llama3: python tag then raw code is text"] = new(ToolCallFamily.Llama3, "<|python_tag|>print(1)", "<|python_tag|>print(1)", []),

        // Mistral
        ["mistral: JSON array, one call with the model's id"] = new(ToolCallFamily.MistralJsonArray,
            "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123def\"}]", "", ["get_weather {\"city\":\"Paris\"}"]),
        ["mistral: JSON array, two calls"] = new(ToolCallFamily.MistralJsonArray,
            "[TOOL_CALLS] [{\"name\": \"ping\", \"arguments\": {}}, {\"name\": \"search\", \"arguments\": {\"query\": \"q\"}}]", "", ["ping {}", "search {\"query\":\"q\"}"]),
        ["mistral: name and [ARGS]"] = new(ToolCallFamily.MistralNameArgs,
            "Sure. [TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}", "Sure.", ["get_weather {\"city\":\"Paris\"}"]),
        ["mistral: two calls with [ARGS]"] = new(ToolCallFamily.MistralNameArgs,
            "[TOOL_CALLS]get_weather[ARGS]{\"city\":\"A\"}[TOOL_CALLS]search[ARGS]{\"query\":\"b\"}", "", ["get_weather {\"city\":\"A\"}", "search {\"query\":\"b\"}"]),
        ["mistral: [CALL_ID] before [ARGS]"] = new(ToolCallFamily.MistralNameArgs,
            "[TOOL_CALLS]get_weather[CALL_ID]a1b2c3d4e[ARGS]{\"city\": \"A\"}", "", ["get_weather {\"city\":\"A\"}"]),
        ["mistral: [THINK] block is reasoning"] = new(ToolCallFamily.MistralNameArgs,
            "[THINK]Which city?[/THINK]It is sunny.", "It is sunny.", [], "Which city?"),
        ["mistral: trigger then words is text"] = new(ToolCallFamily.MistralNameArgs, "[TOOL_CALLS] what now?", "[TOOL_CALLS] what now?", []),
        ["mistral: unfinished trigger"] = new(ToolCallFamily.MistralJsonArray, "Hi [TOOL_CA", "Hi [TOOL_CA", []),
        ["mistral: malformed arguments stay a call, unfinished"] = new(ToolCallFamily.MistralNameArgs,
            "[TOOL_CALLS]get_weather[ARGS]{\"city\": Paris}", "", ["get_weather !{\"city\": Paris}"]),

        // DeepSeek
        ["deepseek: R1 call after text"] = new(ToolCallFamily.DeepSeek,
            "Let me check.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "Let me check.", ["get_weather {\"city\":\"Paris\"}"]),
        ["deepseek: R1 two calls, text after"] = new(ToolCallFamily.DeepSeek,
            "Two: <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>ping\n```json\n{}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>search\n```json\n{\"query\": \"q\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜> ok",
            "Two: ok", ["ping {}", "search {\"query\":\"q\"}"]),
        ["deepseek: V3.1 short form"] = new(ToolCallFamily.DeepSeek,
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>", "", ["get_weather {\"city\":\"Paris\"}"]),
        ["deepseek: misspelled opening of a distilled model"] = new(ToolCallFamily.DeepSeek,
            "<｜tool_calls_begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>ping\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>", "", ["ping {}"]),
        ["deepseek: unfinished opening"] = new(ToolCallFamily.DeepSeek, "Wait <｜tool▁cal", "Wait <｜tool▁cal", []),
        ["deepseek: empty block is text"] = new(ToolCallFamily.DeepSeek, "<｜tool▁calls▁begin｜>oops", "<｜tool▁calls▁begin｜>oops", []),
        ["deepseek: no call"] = new(ToolCallFamily.DeepSeek, "The answer is <b>4</b>.", "The answer is <b>4</b>.", []),

        // gpt-oss
        ["gpt-oss: analysis then a call"] = new(ToolCallFamily.GptOss,
            "<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}<|call|>",
            "", ["get_weather {\"city\":\"Paris\"}"], "Need the weather."),
        ["gpt-oss: recipient before the channel"] = new(ToolCallFamily.GptOss,
            " to=functions.search<|channel|>commentary json<|message|>{\"query\": \"x\"}<|call|>", "", ["search {\"query\":\"x\"}"]),
        ["gpt-oss: final answer"] = new(ToolCallFamily.GptOss,
            "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>The answer.<|return|>", "The answer.", [], "Think."),
        ["gpt-oss: preamble then call"] = new(ToolCallFamily.GptOss,
            "<|channel|>commentary<|message|>Checking.<|end|><|start|>assistant<|channel|>commentary to=functions.ping <|constrain|>json<|message|>{}<|call|>", "Checking.", ["ping {}"]),
        ["gpt-oss: built-in tool message is reasoning"] = new(ToolCallFamily.GptOss,
            "<|channel|>analysis to=browser.search<|message|>{\"q\": 1}<|call|>", "", [], "{\"q\": 1}"),
        ["gpt-oss: text without a header"] = new(ToolCallFamily.GptOss, "Plain answer.", "Plain answer.", []),
        ["gpt-oss: two calls in a row"] = new(ToolCallFamily.GptOss,
            "<|channel|>commentary to=functions.ping <|constrain|>json<|message|>{}<|call|><|start|>assistant<|channel|>commentary to=functions.search <|constrain|>json<|message|>{\"query\": \"q\"}<|call|>",
            "", ["ping {}", "search {\"query\":\"q\"}"]),
        ["gpt-oss: unfinished header"] = new(ToolCallFamily.GptOss, "<|channel|>analy", "<|channel|>analy", []),
        ["gpt-oss: arguments cut off"] = new(ToolCallFamily.GptOss,
            "<|channel|>commentary to=functions.search <|constrain|>json<|message|>{\"query\": \"q", "", ["search !{\"query\": \"q"]),

        // Generic JSON
        ["generic: tool_calls list"] = new(ToolCallFamily.GenericJson,
            "{\"tool_calls\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, {\"name\": \"search\", \"arguments\": {\"query\": \"x\"}}]}",
            "", ["get_weather {\"city\":\"Paris\"}", "search {\"query\":\"x\"}"]),
        ["generic: one call object"] = new(ToolCallFamily.GenericJson,
            "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}", "", ["get_weather {\"city\":\"Paris\"}"]),
        ["generic: tool_call wrapper, fenced"] = new(ToolCallFamily.GenericJson,
            "```json\n{\"tool_call\": {\"name\": \"ping\", \"arguments\": {}}}\n```", "", ["ping {}"]),
        ["generic: other JSON is text"] = new(ToolCallFamily.GenericJson, "{\"response\": \"hi\"}", "{\"response\": \"hi\"}", []),
        ["generic: plain text"] = new(ToolCallFamily.GenericJson, "Hello {\"name\": 1}", "Hello {\"name\": 1}", []),
        ["generic: unfinished object"] = new(ToolCallFamily.GenericJson, "{\"tool_ca", "{\"tool_ca", []),
        ["generic: malformed list is text"] = new(ToolCallFamily.GenericJson, "{\"tool_calls\": [oops]}", "{\"tool_calls\": [oops]}", []),
    };

    public static TheoryData<string> Names() => [.. All.Keys];

    public static TheoryData<string> StreamingNames() => [.. All.Where(c => c.Value.StreamsArguments).Select(c => c.Key)];

    public IToolCallFormat Format() => ToolCallFormats.For(Family);
}
