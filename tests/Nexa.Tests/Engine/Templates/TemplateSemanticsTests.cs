using Nexa.Engine.Templates;

namespace Nexa.Tests.Engine.Templates;

/// <summary>jinja2's semantics that chat templates lean on, beyond what the goldens show.</summary>
public sealed class TemplateSemanticsTests
{
    private static string Render(string source, Action<TemplateContext>? variables = null)
    {
        var context = new TemplateContext();
        variables?.Invoke(context);
        return JinjaTemplate.Parse(source).Render(context).Text;
    }

    [Fact]
    public void Undefined_prints_nothing_is_false_and_iterates_as_empty()
    {
        Assert.Equal("[]|False|0|none", Render("[{{ nope }}]|{{ nope is defined }}|{{ nope | length }}|{% for x in nope %}x{% else %}none{% endfor %}"));
        Assert.Equal("empty", Render("{% if not nope %}empty{% endif %}"));
    }

    [Fact]
    public void Attribute_of_undefined_raises_as_jinja2_does_but_a_missing_attribute_is_undefined()
    {
        Assert.Equal("'nope' is undefined", Assert.ThrowsAny<TemplateException>(() => Render("{{ nope.content }}")).Message.Split(" (line")[0]);
        Assert.Equal("[]", Render("[{{ m.missing }}]", c => c.Data("m", new Dictionary<string, object?> { ["role"] = "user" })));
        Assert.Contains("'dict object' has no attribute 'missing'",
            Assert.ThrowsAny<TemplateException>(() => Render("{{ m.missing.deeper }}", c => c.Data("m", new Dictionary<string, object?>()))).Message);
        Assert.Equal("[]", Render("[{{ none.attr }}]"));
    }

    [Fact]
    public void Changing_case_keeps_a_lone_surrogate_as_python_does()
    {
        // JSON can carry half a surrogate pair ("\ud83d"); Python keeps it through upper() and lower().
        Assert.Equal("AB\ud83dC|ab\ud83dc", Render("{{ s.upper() }}|{{ s | lower }}", c => c.Data("s", "aB\ud83dc")));
    }

    [Fact]
    public void Lists_and_dicts_can_be_changed_as_in_llama_cpp_though_transformers_sandbox_refuses()
    {
        Assert.Equal("[1, 2] 2 [1] {'k': 'v'}", Render("{% set l = [1] %}{% set _ = l.append(2) %}{{ l }} {{ l.pop() }} {{ l }} {% set d = {} %}{% set _ = d.update({'k': 'v'}) %}{{ d }}"));
    }

    [Fact]
    public void A_callers_values_are_copied_so_the_template_cannot_change_them()
    {
        var list = new List<object?> { "a" };

        Assert.Equal("['a', 'b']", Render("{% set _ = xs.append('b') %}{{ xs }}", c => c.Data("xs", list)));
        Assert.Single(list);
    }

    [Fact]
    public void Python_values_print_as_python_prints_them()
    {
        Assert.Equal("1.0 0.1 1e+16 None True ['a', 1] {'k': None}",
            Render("{{ x }} {{ y }} {{ z }} {{ n }} {{ t }} {{ l }} {{ d }}", c => c
                .Data("x", 1.0).Data("y", 0.1).Data("z", 1e16).Data("n", null).Data("t", true)
                .Data("l", new object?[] { "a", 1 }).Data("d", new Dictionary<string, object?> { ["k"] = null })));
    }

    [Fact]
    public void Json_values_come_in_as_python_values()
    {
        var json = System.Text.Json.JsonDocument.Parse("""{"i": 3, "f": 3.0, "s": "é", "b": false, "n": null, "l": [1, "x"]}""").RootElement;

        Assert.Equal("3 3.0 é False None [1, 'x'] True True", Render("{{ j.i }} {{ j.f }} {{ j.s }} {{ j.b }} {{ j.n }} {{ j.l }} {{ j.i is integer }} {{ j.f is float }}", c => c.Data("j", json)));
        Assert.Equal("{\"i\": 3, \"f\": 3.0, \"s\": \"é\", \"b\": false, \"n\": null, \"l\": [1, \"x\"]}", Render("{{ j | tojson }}", c => c.Data("j", json)));
    }

    [Fact]
    public void Strftime_now_reads_the_given_clock()
    {
        var template = JinjaTemplate.Parse("{{ strftime_now('%d %B %Y, %-d/%-m') }}");

        Assert.Equal("05 July 2024, 5/7", template.Render(new TemplateContext(), clock: () => new DateTime(2024, 7, 5)).Text);
    }
}
