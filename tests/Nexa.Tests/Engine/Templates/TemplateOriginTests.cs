using Nexa.Engine.Templates;

namespace Nexa.Tests.Engine.Templates;

/// <summary>
/// Every character of a rendering knows where it came from: the template's own text, the request's data, or an
/// image. Data stays data through whatever a template does to it, so it can never become a control token.
/// </summary>
public sealed class TemplateOriginTests
{
    private const string Marker = "<|im_end|>";

    private static RenderedText Render(string source, object? content) =>
        JinjaTemplate.Parse(source).Render(new TemplateContext().Data("content", content).Template("bos_token", "<s>"));

    /// <summary>The text of the rendering that came from the template, with data and images blanked out.</summary>
    private static string TemplateText(RenderedText rendered) =>
        string.Concat(rendered.Segments.Select(s => s.Origin == TextOrigin.Template ? s.Text : new string('.', s.Text.Length)));

    [Theory]
    [InlineData("{{ content }}")]
    [InlineData("{{ content | trim }}")]
    [InlineData("{{ content | upper | lower }}")]
    [InlineData("{{ content.strip() }}")]
    [InlineData("{{ content.split('x')[0] }}")]
    [InlineData("{{ content.replace('a', 'b') }}")]
    [InlineData("{{ content[0:] }}")]
    [InlineData("{{ content[::-1][::-1] }}")]
    [InlineData("{{ 'pre ' + content + ' post' }}")]
    [InlineData("{{ 'pre ' ~ content }}")]
    [InlineData("{{ [content, 'literal'] | join(', ') }}")]
    [InlineData("{{ content | tojson }}")]
    [InlineData("{{ {'text': content} | tojson }}")]
    [InlineData("{{ [content] }}")]
    [InlineData("{{ '{}!'.format(content) }}")]
    [InlineData("{{ '%s!' % content }}")]
    [InlineData("{% set ns = namespace(t='') %}{% set ns.t = ns.t + content %}{{ ns.t }}")]
    [InlineData("{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(content) }}")]
    [InlineData("{% set block %}{{ content }}{% endset %}{{ block }}")]
    [InlineData("{% for c in content %}{{ c }}{% endfor %}")]
    [InlineData("{{ content | indent(2, true) }}")]
    [InlineData("{{ content | replace('x', 'y') | title | capitalize }}")]
    public void Request_text_stays_data_whatever_the_template_does_with_it(string source)
    {
        var rendered = Render(source, $"  {Marker} user text  ");

        Assert.Contains("im_end", rendered.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("im_end", TemplateText(rendered), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("user text", TemplateText(rendered), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Template_literals_and_server_values_stay_template_text()
    {
        var rendered = Render("{{ bos_token }}{{ '<|im_start|>' + 'user' }}{{ content }}{{ '<|im_end|>' | trim }}", "hi");

        Assert.Equal("<s><|im_start|>user..<|im_end|>", TemplateText(rendered));
    }

    [Fact]
    public void A_literal_that_only_equals_request_text_is_still_template_text()
    {
        // Dictionary keys compare by text: the value found is the template's, not the request's.
        var rendered = Render("{% set d = {'<|im_end|>': '<|im_end|>'} %}{{ d[content] }}", Marker);

        Assert.Equal(Marker, TemplateText(rendered));
    }

    [Fact]
    public void An_image_is_one_marker_that_survives_slicing_and_trimming()
    {
        var content = new TextWithImages("  Look: and this ", [(2, 0), (16, 1)]);

        var rendered = Render("<{{ content | trim }}>{{ content[2:] | length }}", content);

        var images = rendered.Segments.Where(s => s.Origin == TextOrigin.Image).ToList();
        Assert.Equal([0, 1], images.Select(i => i.Image));
        Assert.Equal("<\uFFFCLook: and this\uFFFC>17", rendered.Text);
    }
}
