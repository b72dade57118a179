using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

internal sealed partial class SchemaConverter
{
    private sealed record Member(string Name, string Rule, bool Required);

    private string ObjectRule(JsonObject o, string path, string hint)
    {
        var properties = o["properties"] switch
        {
            null when !o.ContainsKey("properties") => null,
            JsonObject p => p,
            _ => throw Fail($"{path}/properties", "properties must be an object"),
        };
        var required = new List<string>();
        if (o.ContainsKey("required"))
        {
            if (o["required"] is not JsonArray list || list.Any(r => r is not JsonValue v || !v.TryGetValue<string>(out _)))
            {
                throw Fail($"{path}/required", "required must be an array of property names");
            }

            required.AddRange(list.Select(r => r!.GetValue<string>()).Distinct());
        }

        var members = new List<Member>();
        foreach (var (name, schema) in properties ?? [])
        {
            var value = Visit(schema, $"{path}/properties/{Escape(name)}", $"{hint}-{name}", []);
            members.Add(new Member(name, MemberRule(hint, name, value), required.Contains(name)));
        }

        // A required name with no schema of its own may hold any value.
        foreach (var name in required.Where(r => properties is null || !properties.ContainsKey(r)))
        {
            members.Add(new Member(name, MemberRule(hint, name, Primitive("value")), true));
        }

        string? extra = null;
        switch (o["additionalProperties"])
        {
            case null when !o.ContainsKey("additionalProperties"):
                // Not given: an object that lists its properties gets only those (still valid), one that lists none any members.
                if (properties is null)
                {
                    extra = ExtraMember(hint, members, Primitive("value"));
                }

                break;
            case JsonValue v when v.TryGetValue<bool>(out var allowed):
                if (allowed)
                {
                    extra = ExtraMember(hint, members, Primitive("value"));
                }

                break;
            case JsonObject schema:
                extra = ExtraMember(hint, members, Visit(schema, $"{path}/additionalProperties", $"{hint}-additional", []));
                break;
            default:
                throw Fail($"{path}/additionalProperties", "additionalProperties must be a boolean or a schema");
        }

        var ws = Primitive("ws");
        return Rule(hint, $"\"{{\" {ws} {ObjectBody(members, extra, ws)} \"}}\"");
    }

    private string MemberRule(string hint, string name, string value) =>
        Rule($"{hint}-{name}-kv", $"{JsonLiteral(JsonValue.Create(name))} {Primitive("ws")} \":\" {Primitive("ws")} {value} {Primitive("ws")}");

    // Members in schema order; any optional one may be missing, and commas go only between members present.
    private static string ObjectBody(List<Member> members, string? extra, string ws)
    {
        var extraTail = extra is null ? "" : $" (\",\" {ws} {extra})*";
        if (members.Count == 0)
        {
            return extra is null ? "" : $"({extra}{extraTail})?";
        }

        // The members after index i, each with its comma; the optional ones may be left out.
        string Tail(int from) => string.Join(" ", members.Skip(from).Select(m => m.Required ? $"\",\" {ws} {m.Rule}" : $"(\",\" {ws} {m.Rule})?"));

        var firstRequired = members.FindIndex(m => m.Required);
        var lastFirst = firstRequired < 0 ? members.Count - 1 : firstRequired;
        var starts = new List<string>();
        for (var i = 0; i <= lastFirst; i++)
        {
            var tail = Tail(i + 1);
            starts.Add(tail.Length == 0 ? members[i].Rule : $"{members[i].Rule} {tail}");
        }

        var declared = starts.Count == 1 ? starts[0] : $"({string.Join(" | ", starts)})";
        if (firstRequired >= 0)
        {
            return declared + extraTail;
        }

        return extra is null ? $"{declared}?" : $"({declared}{extraTail} | {extra}{extraTail})?";
    }

    /// <summary>A member not listed in properties: a key that is none of the declared names, and a value.</summary>
    private string ExtraMember(string hint, List<Member> members, string value)
    {
        var key = KeyNotIn(hint, members.Select(m => m.Name).ToList());
        var ws = Primitive("ws");
        return Rule($"{hint}-extra-kv", $"{key} {ws} \":\" {ws} {value} {ws}");
    }

    // Extra keys are written without escapes, so they can be told apart from the declared names character by
    // character: a trie of the names, leaving it anywhere but at a name's end.
    private string KeyNotIn(string hint, List<string> names)
    {
        var plain = CharSet.Of([(0x20, 0x10FFFF)]).Minus(CharSet.Of('"', '\\')).Minus(CharSet.Range(0xD800, 0xDFFF));
        var plainChar = Rule("key-char", plain.ToGbnfClass());
        var simple = names.Where(n => n.EnumerateRunes().All(r => plain.Contains(r.Value))).ToList();
        if (simple.Count == 0)
        {
            return Rule("plain-key", $"\"\\\"\" {plainChar}* \"\\\"\"");
        }

        return Rule($"{hint}-extra-key", $"\"\\\"\" {TrieNode(hint, simple, "", plain, plainChar)} \"\\\"\"");
    }

    private string TrieNode(string hint, List<string> names, string prefix, CharSet plain, string plainChar)
    {
        var next = names.Where(n => n.Length > prefix.Length && n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => System.Text.Rune.GetRuneAt(n, prefix.Length)).Distinct().OrderBy(r => r.Value).ToList();
        var alternatives = new List<string>();
        var others = plain.Minus(CharSet.Of(next.Select(r => (r.Value, r.Value))));
        if (!others.IsEmpty)
        {
            alternatives.Add($"{others.ToGbnfClass()} {plainChar}*");
        }

        foreach (var rune in next)
        {
            alternatives.Add($"{GbnfText.Literal(rune.ToString())} {TrieNode(hint, names, prefix + rune, plain, plainChar)}");
        }

        // The key may end here unless that would spell a declared name.
        if (!names.Contains(prefix))
        {
            alternatives.Add("\"\"");
        }

        return Rule($"{hint}-key", string.Join(" | ", alternatives));
    }
}
