using System.Globalization;
using System.Text.Json;
using Nexa.Engine.Templates;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Templates;

/// <summary>
/// Each engine feature against Python's jinja2 in transformers' environment: the small templates and their
/// renderings are in tests/model-data/goldens/template-features.json (make-goldens.py writes them).
/// </summary>
public sealed class TemplateFeatureGoldenTests
{
    private static readonly JsonElement Goldens = ModelData.Golden("template-features.json");

    // transformers' sandbox refuses to change a list or dict; this engine allows it (see Lists_and_dicts_can_be_changed…).
    private static readonly HashSet<string> DeliberatelyDifferent = ["mutation_refused_by_transformers"];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Goldens.GetProperty("cases").EnumerateArray())
        {
            var name = c.GetProperty("name").GetString()!;
            if (!DeliberatelyDifferent.Contains(name))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_as_jinja2_does(string name)
    {
        var golden = Goldens.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var context = new TemplateContext();
        foreach (var variable in golden.GetProperty("variables").EnumerateObject())
        {
            context.Data(variable.Name, variable.Value);
        }

        var now = DateTime.Parse(Goldens.GetProperty("now").GetString()!, CultureInfo.InvariantCulture);
        var template = golden.GetProperty("template").GetString()!;
        string Render() => JinjaTemplate.Parse(template).Render(context, clock: () => now).Text;

        if (golden.TryGetProperty("expected", out var expected))
        {
            Assert.Equal(expected.GetString(), Render());
        }
        else
        {
            var error = golden.GetProperty("error").GetString()!;
            var thrown = Assert.ThrowsAny<TemplateException>(Render);
            if (error.StartsWith("TemplateError: ", StringComparison.Ordinal))
            {
                Assert.Equal(error["TemplateError: ".Length..], Assert.IsType<TemplateRaisedException>(thrown).TemplateMessage);
            }
            else
            {
                Assert.Contains(error[(error.IndexOf(": ", StringComparison.Ordinal) + 2)..], thrown.Message);
            }
        }
    }
}
