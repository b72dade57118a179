using Nexa.Engine.Grammar;

namespace Nexa.Tests.Engine.Grammar;

public sealed class JsonSchemaGrammarTests
{
    // Schema → strings its grammar must accept → strings it must refuse.
    public static TheoryData<string, string[], string[]> Cases => new()
    {
        { "{}", ["{}", "[1, \"a\", null]", "true", "-1.5e3", "{\"a\": {\"b\": []}}"], ["", "{", "tru", "01", "{\"a\" 1}"] },
        { "true", ["null", "\"x\""], ["nul"] },
        { """{"type":"string"}""", ["\"\"", "\"héllo \\\"q\\\" \\n \\u00e9\""], ["\"a", "\"\\q\"", "\"tab\there\"", "1"] },
        { """{"type":"integer"}""", ["0", "-12", "1234567890123456"], ["01", "-0", "1.5", "12345678901234567", "\"1\""] },
        { """{"type":"number"}""", ["0", "-0.5", "3.25e-10", "1E3"], ["0.", ".5", "1e", "+1", "NaN"] },
        { """{"type":"boolean"}""", ["true", "false"], ["True", "1"] },
        { """{"type":"null"}""", ["null"], ["\"null\""] },
        { """{"type":["string","null"]}""", ["null", "\"x\""], ["1"] },
        { """{"enum":["red","green",3,null]}""", ["\"red\"", "3", "null"], ["\"blue\"", "\"Red\""] },
        { """{"const":{"a":[1,"é"]}}""", ["{\"a\":[1,\"é\"]}"], ["{\"a\": [1,\"é\"]}", "{}"] },
        {
            """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]}""",
            ["{\"name\": \"Ann\"}", "{\"name\":\"Ann\",\"age\":3}", "{ \"name\" : \"Ann\" ,\n  \"age\": 3 }"],
            ["{}", "{\"age\":3}", "{\"age\":3,\"name\":\"Ann\"}", "{\"name\":\"Ann\",\"x\":1}", "{\"name\":\"Ann\",}", "{\"name\":\"Ann\"  ,   \"age\":3}"]
        },
        {
            """{"properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}}}""",
            ["{}", "{\"a\":1}", "{\"b\":2}", "{\"a\":1,\"c\":3}", "{\"a\":1,\"b\":2,\"c\":3}"],
            ["{,\"b\":2}", "{\"c\":3,\"a\":1}", "{\"a\":1,}"]
        },
        {
            """{"properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["b"]}""",
            ["{\"b\":2}", "{\"a\":1,\"b\":2}"],
            ["{\"a\":1}", "{}"]
        },
        {
            """{"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string"}}""",
            ["{\"id\":1,\"x\":\"y\"}", "{\"x\":\"y\"}", "{}", "{\"i\":\"y\",\"idx\":\"z\"}"],
            ["{\"x\":1}", "{\"id\":\"y\"}", "{\"id\":1,\"id\":\"y\"}"]
        },
        { """{"type":"object"}""", ["{}", "{\"k\": [true]}"], ["[]"] },
        { """{"type":"object","additionalProperties":false}""", ["{}"], ["{\"a\":1}"] },
        { """{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3}""", ["[1]", "[1, 2, 3]"], ["[]", "[1,2,3,4]", "[1,]", "[\"a\"]"] },
        { """{"type":"array","items":{"type":"integer"}}""", ["[]", "[ 1 , 2 ]"], ["[1 2]"] },
        { """{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}""", ["[]", "[\"a\"]", "[\"a\",1]"], ["[1]", "[\"a\",1,2]"] },
        { """{"type":"array","prefixItems":[{"type":"string"}],"items":{"type":"boolean"},"minItems":2}""", ["[\"a\",true]", "[\"a\",true,false]"], ["[\"a\"]", "[true,true]"] },
        { """{"type":"array","items":[{"type":"integer"}],"additionalItems":false}""", ["[1]", "[]"], ["[1,2]"] },
        { """{"type":"string","minLength":2,"maxLength":3}""", ["\"ab\"", "\"abc\"", "\"a\\n\""], ["\"a\"", "\"abcd\""] },
        { """{"type":"string","pattern":"^[A-Z][a-z]+-\\d{2}$"}""", ["\"Ab-12\"", "\"Xyz-00\""], ["\"ab-12\"", "\"Ab-1\"", "\" Ab-12\""] },
        { """{"type":"string","pattern":"(cat|dog)s?"}""", ["\"cats\"", "\"hotdog\"", "\"a dog!\""], ["\"cow\""] },
        { """{"type":"string","pattern":"^a.c$"}""", ["\"abc\"", "\"a\\\"c\"", "\"aéc\""], ["\"a\\nc\"", "\"ac\""] },
        { """{"type":"string","pattern":"^[^a-z\"]+$"}""", ["\"ABC\"", "\"\\\\\""], ["\"aB\"", "\"\\\"\""] },
        { """{"type":"string","pattern":"^(?:ab){2,3}?x*\\.$"}""", ["\"abab.\"", "\"abababxx.\""], ["\"ab.\"", "\"abababab.\""] },
        { """{"type":"string","format":"date"}""", ["\"2024-02-29\""], ["\"2024-13-01\"", "\"24-01-01\""] },
        { """{"type":"string","format":"time"}""", ["\"23:59:60Z\"".Replace("60", "59"), "\"08:00:00.123+02:00\""], ["\"24:00:00Z\"", "\"08:00:00\""] },
        { """{"type":"string","format":"date-time"}""", ["\"2024-01-31T12:00:00Z\""], ["\"2024-01-31 12:00:00Z\""] },
        { """{"type":"string","format":"uuid"}""", ["\"123e4567-e89b-12d3-a456-426614174000\""], ["\"123e4567e89b12d3a456426614174000\""] },
        { """{"type":"integer","minimum":-5,"maximum":12}""", ["-5", "-1", "0", "7", "12"], ["-6", "13", "-0", "05"] },
        { """{"type":"integer","exclusiveMinimum":99,"exclusiveMaximum":1000}""", ["100", "999", "555"], ["99", "1000", "50"] },
        { """{"type":"integer","minimum":37}""", ["37", "40", "99", "100", "123456"], ["36", "9", "0", "-40"] },
        { """{"type":"integer","maximum":-20}""", ["-20", "-21", "-100000"], ["-19", "0", "20"] },
        { """{"type":"integer","minimum":1.5,"maximum":3.5}""", ["2", "3"], ["1", "4"] },
        { """{"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]}""", ["1", "\"a\""], ["\"ab\"", "true"] },
        { """{"oneOf":[{"const":"a"},{"const":"b"}]}""", ["\"a\"", "\"b\""], ["\"c\""] },
        {
            """{"allOf":[{"properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]}""",
            ["{\"a\":1,\"b\":\"x\"}"],
            ["{\"a\":1}", "{\"b\":\"x\"}"]
        },
        {
            """{"type":"object","properties":{"p":{"$ref":"#/$defs/point"}},"required":["p"],"$defs":{"point":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2}}}""",
            ["{\"p\":[1,2.5]}"],
            ["{\"p\":[1]}"]
        },
        {
            """{"$ref":"#/definitions/node","definitions":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/definitions/node"},{"type":"null"}]}},"required":["v","next"]}}}""",
            ["{\"v\":1,\"next\":null}", "{\"v\":1,\"next\":{\"v\":2,\"next\":{\"v\":3,\"next\":null}}}"],
            ["{\"v\":1,\"next\":{\"v\":2}}"]
        },
        {
            """{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}},"required":["kids"]}""",
            ["{\"kids\":[]}", "{\"kids\":[{\"kids\":[]},{\"kids\":[{\"kids\":[]}]}]}"],
            ["{\"kids\":[{}]}"]
        },
        { """{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"type":"boolean"}}}""", ["true"], ["1"] },
        { """{"type":"string","title":"Name","description":"any","examples":["x"],"x-note":1}""", ["\"x\""], ["1"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grammar_accepts_exactly_the_valid_json(string schema, string[] valid, string[] invalid)
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.FromSchema(schema));

        foreach (var text in valid)
        {
            Assert.True(GbnfMatcher.Matches(grammar, text), $"should match: {text}");
            JsonSchemaCheck.AssertValid(schema, text);
        }

        foreach (var text in invalid)
        {
            Assert.False(GbnfMatcher.Matches(grammar, text), $"should not match: {text}");
        }
    }

    [Fact]
    public void Json_object_mode_is_any_object()
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.AnyObject());

        Assert.True(GbnfMatcher.Matches(grammar, "{\"a\": [1, {\"b\": null}]}"));
        Assert.False(GbnfMatcher.Matches(grammar, "[1]"));
        Assert.False(GbnfMatcher.Matches(grammar, "\"x\""));
    }

    [Fact]
    public void Whitespace_between_tokens_is_bounded()
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.FromSchema("""{"type":"array","items":{"type":"integer"}}"""));

        Assert.True(GbnfMatcher.Matches(grammar, "[\n" + new string(' ', 20) + "1]"));
        Assert.False(GbnfMatcher.Matches(grammar, "[\n" + new string(' ', 21) + "1]"));
        Assert.False(GbnfMatcher.Matches(grammar, "[\n\n\n1]"));
    }

    [Fact]
    public void Properties_come_in_schema_order()
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.FromSchema(
            """{"properties":{"z":{"type":"integer"},"a":{"type":"integer"}},"required":["a","z"]}"""));

        Assert.True(GbnfMatcher.Matches(grammar, "{\"z\":1,\"a\":2}"));
        Assert.False(GbnfMatcher.Matches(grammar, "{\"a\":2,\"z\":1}"));
    }

    public static TheoryData<string, string> Unsupported => new()
    {
        { """{"type":"object","properties":{"foo":{"type":"string","pattern":"^(?=a)"}}}""", "#/properties/foo/pattern" },
        { """{"type":"string","pattern":"^(a)\\1$"}""", "#/pattern" },
        { """{"type":"string","pattern":"\\bword"}""", "#/pattern" },
        { """{"type":"object","properties":{"a":{"not":{"type":"string"}}}}""", "#/properties/a/not" },
        { """{"type":"array","uniqueItems":true}""", "#/uniqueItems" },
        { """{"type":"object","minProperties":1}""", "#/minProperties" },
        { """{"type":"string","format":"email"}""", "#/format" },
        { """{"type":"number","minimum":0}""", "#/minimum" },
        { """{"$ref":"#/$defs/missing"}""", "#/$ref" },
        { """{"$ref":"https://example.com/schema.json"}""", "#/$ref" },
        { """{"properties":{"x":{"$ref":"#/properties/x"}}}""", "#/properties/x/$ref" },
        { """{"type":"strin"}""", "#/type" },
        { """{"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":2}""", "#/minItems" },
        { """{"type":"integer","minimum":5,"maximum":4}""", "#/minimum" },
        { """{"type":"string","minLength":1,"pattern":"^a+$"}""", "#/pattern" },
        { """{"allOf":[{"type":"string"},{"type":"integer"}]}""", "#/allOf/1/type" },
        { "false", "#" },
        { "[1]", "#" },
        { "{not json", "#" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void A_schema_it_cannot_enforce_is_refused_naming_the_keyword(string schema, string path)
    {
        var error = Assert.Throws<SchemaGrammarException>(() => JsonSchemaGrammar.FromSchema(schema));

        Assert.Equal(path, error.SchemaPath);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_bounds_are_split_into_repetitions_llama_cpp_accepts()
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.FromSchema("""{"type":"string","minLength":2100,"maxLength":2500}"""));

        Assert.True(GbnfMatcher.Matches(grammar, $"\"{new string('a', 2100)}\""));
        Assert.True(GbnfMatcher.Matches(grammar, $"\"{new string('a', 2500)}\""));
        Assert.False(GbnfMatcher.Matches(grammar, $"\"{new string('a', 2099)}\""));
        Assert.False(GbnfMatcher.Matches(grammar, $"\"{new string('a', 2501)}\""));
    }
}
