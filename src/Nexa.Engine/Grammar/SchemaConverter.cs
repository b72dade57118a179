using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

/// <summary>
/// One conversion: walks the schema, writes one GBNF rule per schema node that needs one (identical bodies share a
/// rule), and one rule per <c>$ref</c> target, named before its body is written so recursive schemas refer to it.
/// </summary>
internal sealed partial class SchemaConverter(JsonNode? root)
{
    /// <summary>Keywords that only describe: they never change which values are valid.</summary>
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$anchor", "title", "description", "default", "examples", "deprecated",
        "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "$defs", "definitions",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "properties", "required", "additionalProperties",
        "items", "prefixItems", "additionalItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    };

    private readonly List<string> _order = [];
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byBody = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);

    public static bool IsAnnotation(string keyword) => Annotations.Contains(keyword) || keyword.StartsWith("x-", StringComparison.Ordinal);

    /// <summary>The whole grammar: root is the value (with optional trailing whitespace), then every rule used.</summary>
    public string Finish(string valueExpression)
    {
        var text = new StringBuilder();
        text.Append("root ::= ").Append(IsName(valueExpression) ? valueExpression : $"({valueExpression})").Append(' ').Append(Primitive("ws")).Append('\n');
        foreach (var name in _order)
        {
            text.Append(name).Append(" ::= ").Append(_rules[name]).Append('\n');
        }

        var grammar = text.ToString();
        try
        {
            GbnfGrammar.Parse(grammar);
        }
        catch (GbnfException e)
        {
            throw new SchemaGrammarException("#", $"the grammar for this schema is one llama.cpp would refuse ({e.Reason}); simplify the schema");
        }

        return grammar;
    }

    /// <summary>One of the fixed rules of <see cref="JsonGrammarRules"/> (e.g. "object" for json_object mode).</summary>
    public string Fixed(string name) => Primitive(name);

    /// <summary>GBNF for the values valid against <paramref name="schema"/> (a rule name or an expression).</summary>
    public string Visit(JsonNode? schema, string path, string hint) => Visit(schema, path, hint, []);

    private string Visit(JsonNode? schema, string path, string hint, ImmutableHashSet<string> directRefs)
    {
        switch (schema)
        {
            case JsonValue v when v.TryGetValue<bool>(out var b):
                return b ? Primitive("value") : throw Fail(path, "the schema false matches no value");
            case JsonObject o:
                return VisitObject(o, path, hint, directRefs);
            default:
                throw Fail(path, "a schema must be an object or a boolean");
        }
    }

    private string VisitObject(JsonObject o, string path, string hint, ImmutableHashSet<string> directRefs)
    {
        foreach (var (key, _) in o)
        {
            if (!IsAnnotation(key) && !Supported.Contains(key))
            {
                throw Fail($"{path}/{Escape(key)}", $"the keyword '{key}' is not supported by the grammar converter");
            }
        }

        var keys = o.Select(p => p.Key).Where(k => !IsAnnotation(k)).ToList();
        if (keys.Contains("$ref"))
        {
            return keys.Count == 1
                ? RefRule(o["$ref"], $"{path}/$ref", directRefs)
                : Visit(Flatten(o, path, 0), path, hint, directRefs);
        }

        if (keys.Contains("allOf"))
        {
            return Visit(Flatten(o, path, 0), path, hint, directRefs);
        }

        if (keys.Contains("anyOf") || keys.Contains("oneOf"))
        {
            return Union(o, keys, path, hint, directRefs);
        }

        if (keys.Contains("const"))
        {
            return JsonLiteral(o["const"]);
        }

        if (keys.Contains("enum"))
        {
            return Enum(o, path, hint);
        }

        var types = TypesOf(o, path);
        if (types is null)
        {
            return Primitive("value");
        }

        var alternatives = types.Select(t => t switch
        {
            "object" => ObjectRule(o, path, hint),
            "array" => ArrayRule(o, path, hint),
            "string" => StringRule(o, path, hint),
            "integer" => IntegerRule(o, path, hint),
            "number" => NumberRule(o, path, hint),
            "boolean" => Primitive("boolean"),
            _ => Primitive("null"),
        }).Distinct().ToList();
        return alternatives.Count == 1 ? alternatives[0] : Rule(hint, string.Join(" | ", alternatives));
    }

    // anyOf/oneOf: one rule per branch; keywords beside it apply to every branch (each branch becomes allOf[branch, rest]).
    private string Union(JsonObject o, List<string> keys, string path, string hint, ImmutableHashSet<string> directRefs)
    {
        if (keys.Contains("anyOf") && keys.Contains("oneOf"))
        {
            throw Fail($"{path}/oneOf", "anyOf and oneOf together are not supported");
        }

        var keyword = keys.Contains("anyOf") ? "anyOf" : "oneOf";
        if (o[keyword] is not JsonArray branches || branches.Count == 0)
        {
            throw Fail($"{path}/{keyword}", $"{keyword} must be a non-empty array of schemas");
        }

        var rest = new JsonObject();
        foreach (var (key, value) in o)
        {
            if (key != keyword && !IsAnnotation(key))
            {
                rest[key] = value?.DeepClone();
            }
        }

        var alternatives = new List<string>();
        for (var i = 0; i < branches.Count; i++)
        {
            var branchPath = $"{path}/{keyword}/{i}";
            var branch = rest.Count == 0
                ? branches[i]
                : Flatten(new JsonObject { ["allOf"] = new JsonArray(branches[i]?.DeepClone(), rest.DeepClone()) }, branchPath, 0);
            alternatives.Add(Visit(branch, branchPath, $"{hint}-{i}", directRefs));
        }

        return Rule(hint, string.Join(" | ", alternatives.Distinct()));
    }

    private string Enum(JsonObject o, string path, string hint)
    {
        if (o["enum"] is not JsonArray values || values.Count == 0)
        {
            throw Fail($"{path}/enum", "enum must be a non-empty array");
        }

        var types = o.ContainsKey("type") ? TypesOf(o, path) : null;
        var literals = values.Where(v => types is null || types.Any(t => IsOfType(v, t))).Select(JsonLiteral).Distinct().ToList();
        return literals.Count == 0
            ? throw Fail($"{path}/enum", "no value of enum has the schema's type")
            : Rule(hint, string.Join(" | ", literals));
    }

    private string RefRule(JsonNode? reference, string path, ImmutableHashSet<string> directRefs)
    {
        var pointer = reference is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Fail(path, "$ref must be a string");
        if (_refRules.TryGetValue(pointer, out var existing))
        {
            // Reached again with no JSON written since: the rule would start with itself (left recursion).
            return directRefs.Contains(pointer)
                ? throw Fail(path, $"$ref '{pointer}' refers back to itself without any value in between")
                : existing;
        }

        var target = Resolve(pointer, path);
        var name = UniqueName("ref-" + pointer.Split('/')[^1]);
        _refRules[pointer] = name;
        _order.Add(name);
        _rules[name] = "";
        // Faults inside the target are named by the pointer: that is where they are in the schema.
        var body = Visit(target, pointer, name, directRefs.Add(pointer));
        _rules[name] = body;
        return name;
    }

    /// <summary>A local JSON pointer (<c>#</c>, <c>#/$defs/x</c>, …) in the root schema.</summary>
    private JsonNode? Resolve(string pointer, string path)
    {
        if (pointer != "#" && !pointer.StartsWith("#/", StringComparison.Ordinal))
        {
            throw Fail(path, $"$ref '{pointer}' is not a local reference (only '#/…' pointers into this schema are supported)");
        }

        var node = root;
        foreach (var raw in pointer.Length > 1 ? pointer[2..].Split('/') : [])
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(segment, out var child) => child,
                JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw Fail(path, $"$ref '{pointer}' points to nothing in this schema"),
            };
        }

        return node;
    }

    /// <summary>The types a schema allows: its <c>type</c>, else what its keywords imply; null: any value.</summary>
    private static List<string>? TypesOf(JsonObject o, string path)
    {
        string[] known = ["object", "array", "string", "integer", "number", "boolean", "null"];
        if (o["type"] is { } type)
        {
            var names = type switch
            {
                JsonValue v when v.TryGetValue<string>(out var one) => [one],
                JsonArray list when list.Count > 0 => list.Select(t => t is JsonValue x && x.TryGetValue<string>(out var n) ? n : "").ToList(),
                _ => throw Fail($"{path}/type", "type must be a type name or a non-empty list of them"),
            };
            foreach (var name in names.Where(n => !known.Contains(n)))
            {
                throw Fail($"{path}/type", $"unknown type '{name}'");
            }

            return [.. names.Distinct()];
        }

        var implied = new List<string>();
        if (o.ContainsKey("properties") || o.ContainsKey("additionalProperties") || o.ContainsKey("required"))
        {
            implied.Add("object");
        }

        if (o.ContainsKey("items") || o.ContainsKey("prefixItems") || o.ContainsKey("minItems") || o.ContainsKey("maxItems") || o.ContainsKey("additionalItems"))
        {
            implied.Add("array");
        }

        if (o.ContainsKey("minLength") || o.ContainsKey("maxLength") || o.ContainsKey("pattern") || o.ContainsKey("format"))
        {
            implied.Add("string");
        }

        if (o.ContainsKey("minimum") || o.ContainsKey("maximum") || o.ContainsKey("exclusiveMinimum") || o.ContainsKey("exclusiveMaximum"))
        {
            implied.Add("number");
        }

        return implied.Count == 0 ? null : implied;
    }

    private static bool IsOfType(JsonNode? value, string type) => (type, value?.GetValueKind()) switch
    {
        ("null", null or System.Text.Json.JsonValueKind.Null) => true,
        ("boolean", System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False) => true,
        ("string", System.Text.Json.JsonValueKind.String) => true,
        ("number", System.Text.Json.JsonValueKind.Number) => true,
        ("integer", System.Text.Json.JsonValueKind.Number) => value!.GetValue<decimal>() == decimal.Truncate(value.GetValue<decimal>()),
        ("object", System.Text.Json.JsonValueKind.Object) => true,
        ("array", System.Text.Json.JsonValueKind.Array) => true,
        _ => false,
    };

    /// <summary>A rule with <paramref name="body"/>: an existing one with the same body, or a new one named after the hint.</summary>
    private string Rule(string hint, string body)
    {
        if (IsName(body))
        {
            return body;
        }

        if (_byBody.TryGetValue(body, out var existing))
        {
            return existing;
        }

        var name = UniqueName(hint);
        _order.Add(name);
        _rules[name] = body;
        _byBody[body] = name;
        return name;
    }

    /// <summary>One of the fixed rules (and those it uses).</summary>
    private string Primitive(string name)
    {
        if (_rules.ContainsKey(name))
        {
            return name;
        }

        var (body, uses) = JsonGrammarRules.All[name];
        _order.Add(name);
        _rules[name] = body;
        foreach (var use in uses)
        {
            Primitive(use);
        }

        return name;
    }

    private string UniqueName(string hint)
    {
        var clean = new string(hint.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray()).Trim('-');
        if (clean.Length == 0)
        {
            clean = "rule";
        }

        // Fixed rule names and "root" are reserved: user-derived names never take them.
        var name = clean;
        for (var i = 2; _rules.ContainsKey(name) || JsonGrammarRules.All.ContainsKey(name) || name == "root"; i++)
        {
            name = $"{clean}-{i}";
        }

        return name;
    }

    private static bool IsName(string text) => text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>A JSON pointer segment for a property name.</summary>
    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static SchemaGrammarException Fail(string path, string reason) => new(path, reason);
}
