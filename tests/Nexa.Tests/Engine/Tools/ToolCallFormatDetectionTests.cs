using Nexa.Engine.Tools;

namespace Nexa.Tests.Engine.Tools;

/// <summary>Small templates of our own, each with the markers that set its family apart (no model's real template).</summary>
public sealed class ToolCallFormatDetectionTests
{
    public static TheoryData<string, ToolCallFamily> Templates => new()
    {
        {
            """{%- if tools %}<|im_start|>system\nFor each call return <tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>{% endif %}""",
            ToolCallFamily.Hermes
        },
        {
            """{{- '<|im_start|>assistant\n' }}{%- for tool_call in message.tool_calls %}{{- '<tool_call>\n{"name": "' }}{{- tool_call.name }}{{- '"}\n</tool_call>' }}{%- endfor %}""",
            ToolCallFamily.Hermes
        },
        {
            """{{- '<tool_call>\n<function=' + tool_call.name + '>\n' }}{%- for name, value in tool_call.arguments|items %}{{- '<parameter=' + name + '>\n' }}{{- value }}{{- '\n</parameter>\n' }}{%- endfor %}{{- '</function>\n</tool_call>' }}""",
            ToolCallFamily.Qwen3Coder
        },
        {
            """{{- '<|start_header_id|>ipython<|end_header_id|>\n\n' }}{%- if builtin_tools is defined %}{{- '<|python_tag|>' + tool_call.name + '.call(' }}{% endif %}""",
            ToolCallFamily.Llama3
        },
        {
            """{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}{%- if message.role == "ipython" %}{{- message.content | tojson }}{% endif %}""",
            ToolCallFamily.Llama3
        },
        {
            """{%- elif message.tool_calls is defined %}{{- "[TOOL_CALLS][" }}{%- for tool_call in message.tool_calls %}{{- tool_call.function|tojson }}{% endfor %}{{- "]" + eos_token }}""",
            ToolCallFamily.MistralJsonArray
        },
        {
            """{%- for tool in message['tool_calls'] %}{{- '[TOOL_CALLS]' + tool['function']['name'] + '[ARGS]' + arguments }}{%- endfor %}""",
            ToolCallFamily.MistralNameArgs
        },
        {
            """{{- '[TOOL_CALLS]' + tool['function']['name'] + '[CALL_ID]' + tool['id'] + '[ARGS]' + arguments }}""",
            ToolCallFamily.MistralNameArgs
        },
        {
            """{{'<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\n' + '```json' + '\n' + tool['function']['arguments'] + '\n' + '```' + '<｜tool▁call▁end｜>'}}""",
            ToolCallFamily.DeepSeek
        },
        {
            """{{'<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>'+ tool['function']['name'] + '<｜tool▁sep｜>' + tool['function']['arguments'] + '<｜tool▁call▁end｜>'}}""",
            ToolCallFamily.DeepSeek
        },
        {
            """{{- "<|start|>assistant<|channel|>commentary to=functions." + tool_call.name + " <|constrain|>json<|message|>" }}{{- tool_call.arguments|tojson }}{{- "<|call|>" }}""",
            ToolCallFamily.GptOss
        },
        {
            """{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}""",
            ToolCallFamily.GenericJson
        },
        { "", ToolCallFamily.GenericJson },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Family_is_found_from_the_markers_in_the_template(string template, ToolCallFamily family)
    {
        Assert.Equal(family, ToolCallFormats.Detect(template).Family);
    }

    [Fact]
    public void Model_without_a_template_gets_the_generic_json_format()
    {
        Assert.Equal(ToolCallFamily.GenericJson, ToolCallFormats.Detect(null).Family);
    }

    [Theory]
    [InlineData(ToolCallFamily.Hermes, "<tool_call>", false)]
    [InlineData(ToolCallFamily.Qwen3Coder, "<tool_call>", false)]
    [InlineData(ToolCallFamily.Llama3, "{\"name\"", false)]
    [InlineData(ToolCallFamily.Llama3, "<|python_tag|>", true)]
    [InlineData(ToolCallFamily.MistralJsonArray, "[TOOL_CALLS]", true)]
    [InlineData(ToolCallFamily.MistralNameArgs, "[TOOL_CALLS]", true)]
    [InlineData(ToolCallFamily.DeepSeek, "<｜tool▁calls▁begin｜>", false)]
    [InlineData(ToolCallFamily.GptOss, "<|channel|>commentary to=functions.", true)]
    [InlineData(ToolCallFamily.GenericJson, "{\"tool_calls\"", false)]
    public void Each_family_names_the_text_that_opens_its_calls(ToolCallFamily family, string opening, bool specialToken)
    {
        var trigger = Assert.Single(ToolCallFormats.For(family).Triggers, t => t.Text == opening);

        Assert.Equal(specialToken, trigger.IsSpecialToken);
    }

    [Theory]
    [InlineData(ToolCallFamily.MistralNameArgs, "[ARGS]")]
    [InlineData(ToolCallFamily.GptOss, "<|message|>")]
    [InlineData(ToolCallFamily.Llama3, "<|python_tag|>")]
    public void Control_tokens_of_the_markup_are_listed_for_the_decoder_to_render(ToolCallFamily family, string token)
    {
        Assert.Contains(token, ToolCallFormats.For(family).SpecialTokens);
    }

    [Fact]
    public void Llama3_template_without_the_python_tag_has_no_python_tag_trigger()
    {
        var format = ToolCallFormats.Detect("<|start_header_id|>ipython<|end_header_id|>");

        Assert.DoesNotContain(format.Triggers, t => t.Text == "<|python_tag|>");
    }
}
