using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nexa.Engine.Templates;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Templates;

/// <summary>
/// Real models' chat templates (from the npm packages in tests/model-data) render byte for byte as transformers
/// renders them, for each family and each kind of chat: the goldens in goldens/chat-templates.json. The chats are
/// given as an OpenAI client sends them (tool-call arguments as JSON strings, null content beside tool calls).
/// </summary>
public sealed class ChatTemplateGoldenTests
{
    private static readonly JsonElement Goldens = ModelData.Golden("chat-templates.json");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var family in Goldens.GetProperty("families").EnumerateArray())
        {
            foreach (var c in family.GetProperty("cases").EnumerateArray())
            {
                data.Add(family.GetProperty("family").GetString()!, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_as_transformers_does(string family, string name)
    {
        var golden = Goldens.GetProperty("families").EnumerateArray().Single(f => f.GetProperty("family").GetString() == family);
        var c = golden.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var source = ModelData.ChatTemplate(golden.GetProperty("package").GetString()!,
            golden.GetProperty("template_name").ValueKind == JsonValueKind.Null ? null : golden.GetProperty("template_name").GetString());
        Assert.True(golden.GetProperty("template_sha256").GetString() == Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source))),
            $"the {family} template in node_modules is not the one the goldens were made from: run make-goldens.py again");
        var template = ChatTemplate.Parse(source);
        var input = new ChatTemplateInput
        {
            Messages = [.. c.GetProperty("messages").EnumerateArray().Select(Fields)],
            Tools = c.GetProperty("tools").ValueKind == JsonValueKind.Array ? [.. c.GetProperty("tools").EnumerateArray().Select(t => (object?)t)] : null,
            AddGenerationPrompt = c.GetProperty("add_generation_prompt").GetBoolean(),
            BosToken = golden.GetProperty("bos_token").GetString()!,
            EosToken = golden.GetProperty("eos_token").GetString()!,
            Variables = Fields(c.GetProperty("kwargs")),
        };
        var now = DateTime.Parse(Goldens.GetProperty("now").GetString()!, CultureInfo.InvariantCulture);
        string Render() => template.Render(input, clock: () => now).Text;

        if (c.TryGetProperty("expected", out var expected))
        {
            Assert.Equal(expected.GetString(), Render());
        }
        else
        {
            var error = c.GetProperty("error").GetString()!;
            var thrown = Assert.ThrowsAny<TemplateException>(Render);
            if (error.StartsWith("TemplateError: ", StringComparison.Ordinal))
            {
                Assert.Equal(error["TemplateError: ".Length..], Assert.IsType<TemplateRaisedException>(thrown).TemplateMessage);
            }
        }
    }

    private static Dictionary<string, object?> Fields(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? null : (object?)p.Value);
}
