using System.Diagnostics;
using Nexa.Engine.Templates;

namespace Nexa.Tests.Engine.Templates;

/// <summary>A template that runs away is stopped with a clear error, quickly, and never takes the process down.</summary>
public sealed class TemplateLimitsTests
{
    [Theory]
    [InlineData("{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}", "steps")]
    [InlineData("{% for i in range(10000000) %}{% endfor %}", "steps")]
    [InlineData("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recurses without end")]
    [InlineData("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "characters")]
    [InlineData("{{ 'x' * 100000000 }}", "limit")]
    [InlineData("{{ range(1000000000) | length }}", "limit")]
    public void Runaway_template_fails_with_a_clear_error(string source, string says)
    {
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<TemplateLimitException>(() => JinjaTemplate.Parse(source).Render(new TemplateContext()));

        Assert.Contains(says, error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Limits_can_be_tightened()
    {
        var template = JinjaTemplate.Parse("{% for i in range(50) %}{{ i }}{% endfor %}");

        Assert.Throws<TemplateLimitException>(() => template.Render(new TemplateContext(), new TemplateLimits(MaxSteps: 100)));
        Assert.Throws<TemplateLimitException>(() => template.Render(new TemplateContext(), new TemplateLimits(MaxOutput: 10)));
        Assert.Equal(90, template.Render(new TemplateContext()).Text.Length);
    }

    [Fact]
    public void Deeply_nested_source_is_a_syntax_error_not_a_stack_overflow()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse("{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}"));

        Assert.Contains("nests too deeply", error.Message);
        Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(string.Concat(Enumerable.Repeat("{% if true %}", 5000))));
    }

    [Fact]
    public void Raise_exception_carries_the_templates_message_and_line()
    {
        var error = Assert.Throws<TemplateRaisedException>(() =>
            JinjaTemplate.Parse("line one\n{% if true %}\n{{ raise_exception('Only user and assistant roles are supported!') }}\n{% endif %}").Render(new TemplateContext()));

        Assert.Equal("Only user and assistant roles are supported!", error.TemplateMessage);
        Assert.Equal(3, error.Line);
    }

    [Theory]
    [InlineData("{% if x %}", "endif")]
    [InlineData("{{ x | no_such_filter }}", "no filter named 'no_such_filter'")]
    [InlineData("{% if x is no_such_test %}{% endif %}", "no test named 'no_such_test'")]
    [InlineData("{% include 'other.jinja' %}", "unknown tag 'include'")]
    [InlineData("{{ 'unterminated }}", "unterminated string")]
    public void Syntax_errors_say_what_is_wrong(string source, string says)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(source));

        Assert.Contains(says, error.Message);
    }
}
