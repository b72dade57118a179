using Nexa.Engine.Templates;

namespace Nexa.Tests.Engine.Templates;

/// <summary>How a chat as an OpenAI client sends it becomes the variables a chat template sees.</summary>
public sealed class ChatTemplateInputTests
{
    private static readonly Dictionary<string, object?> Call = new()
    {
        ["id"] = "call1",
        ["type"] = "function",
        ["function"] = new Dictionary<string, object?> { ["name"] = "get_weather", ["arguments"] = "{\"city\": \"Paris\"}" },
    };

    private static string Render(string source, IReadOnlyList<IReadOnlyDictionary<string, object?>> messages,
        IReadOnlyList<object?>? tools = null, Dictionary<string, object?>? variables = null, Dictionary<string, object?>? switches = null) =>
        ChatTemplate.Parse(source).Render(new ChatTemplateInput
        {
            Messages = messages,
            Tools = tools,
            Variables = variables ?? [],
            Switches = switches ?? [],
        }).Text;

    private static Dictionary<string, object?> User(string text) => new() { ["role"] = "user", ["content"] = text };

    private static Dictionary<string, object?> CallingTurn(object? content) => new() { ["role"] = "assistant", ["content"] = content, ["tool_calls"] = new[] { Call } };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void The_missing_content_of_a_tool_call_turn_is_none_to_tests_and_empty_to_text(string? content)
    {
        var text = Render("{% set m = messages[0] %}{{ m.content is none }}|[{{ m.content }}]|{{ '</think>' in m.content }}|{{ m.content + 'x' }}|{{ m.content | trim }}|{{ m.content.split('a') }}",
            [CallingTurn(content)]);

        Assert.Equal("True|[]|False|x||['']", text);
    }

    [Fact]
    public void Empty_content_without_tool_calls_is_an_empty_string()
    {
        Assert.Equal("False|True", Render("{{ messages[0].content is none }}|{{ messages[0].content is string }}", [User("")]));
    }

    [Fact]
    public void Tool_call_arguments_come_as_objects_parsed_from_the_wire()
    {
        var source = "{% for c in messages[0].tool_calls %}{{ c.function.arguments is mapping }} {{ c.function.arguments.city }} {{ c.function.arguments | tojson }}{% endfor %}";

        Assert.Equal("True Paris {\"city\": \"Paris\"}", Render(source, [CallingTurn(null)]));
        Assert.False(ChatTemplate.Parse(source).NeedsStringArguments);
    }

    [Fact]
    public void Malformed_arguments_stay_the_text_they_were()
    {
        var broken = new Dictionary<string, object?> { ["function"] = new Dictionary<string, object?> { ["name"] = "f", ["arguments"] = "{not json" } };

        Assert.Equal("{not json", Render("{{ messages[0].tool_calls[0].function.arguments }}",
            [new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new[] { broken } }]));
    }

    [Fact]
    public void A_template_that_can_only_concatenate_arguments_gets_them_as_the_wire_string()
    {
        // As DeepSeek's template: '...' + tool['function']['arguments'] fails for an object.
        var template = ChatTemplate.Parse("{% for m in messages %}{% for c in m.tool_calls or [] %}{{ '<call>' + c.function.arguments + '</call>' }}{% endfor %}{% endfor %}");

        Assert.True(template.NeedsStringArguments);
        Assert.Equal("<call>{\"city\": \"Paris\"}</call>", template.Render(new ChatTemplateInput { Messages = [User("hi"), CallingTurn(null)] }).Text);
    }

    [Fact]
    public void A_template_that_prints_only_content_parts_gets_parts()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %};{% endfor %}");

        Assert.True(template.NeedsTypedContent);
        Assert.Equal("Hello there;", template.Render(new ChatTemplateInput { Messages = [User("Hello there")] }).Text);
        Assert.False(ChatTemplate.Parse("{% for m in messages %}{{ m.content }}{% endfor %}").NeedsTypedContent);
    }

    [Fact]
    public void Tools_are_none_without_tools_as_transformers_passes_them()
    {
        const string source = "{{ tools is none }} {{ tools is defined }} {% for t in tools or [] %}{{ t.function.name }}{% endfor %}";
        var tool = new Dictionary<string, object?> { ["type"] = "function", ["function"] = new Dictionary<string, object?> { ["name"] = "get_weather" } };

        Assert.Equal("True True ", Render(source, [User("hi")]));
        Assert.Equal("True True ", Render(source, [User("hi")], tools: []));
        Assert.Equal("False True get_weather", Render(source, [User("hi")], tools: [tool]));
    }

    [Fact]
    public void Client_variables_win_over_switches_but_cannot_replace_the_chat()
    {
        const string source = "{{ enable_thinking }} {{ messages | length }} {{ add_generation_prompt }} {{ custom }}";

        var text = Render(source, [User("hi")],
            variables: new() { ["enable_thinking"] = true, ["messages"] = "x", ["add_generation_prompt"] = false, ["custom"] = "c" },
            switches: new() { ["enable_thinking"] = false });

        Assert.Equal("True 1 True c", text);
    }
}
