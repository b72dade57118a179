using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

/// <summary>
/// JSON Schema → GBNF for llama.cpp's grammar sampler (OpenAI's <c>response_format</c> json_schema and json_object).
/// Every grammar it returns has passed <see cref="GbnfGrammar.Parse"/>. A schema it cannot enforce throws
/// <see cref="SchemaGrammarException"/> naming the keyword's place: never a silently unconstrained answer.
/// </summary>
/// <remarks>
/// Supported: <c>type</c> (one or a list), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>,
/// <c>items</c>, <c>prefixItems</c> (and draft-7 array <c>items</c> with <c>additionalItems</c>), <c>minItems</c>,
/// <c>maxItems</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c>, <c>oneOf</c> (as anyOf: exclusivity is not enforced),
/// <c>allOf</c> (merged), local <c>$ref</c> into <c>$defs</c>/<c>definitions</c> or any JSON pointer (recursion
/// allowed), <c>minLength</c>, <c>maxLength</c>, <c>pattern</c> (see <see cref="SchemaPattern"/>), <c>format</c>
/// date, time, date-time and uuid, integer <c>minimum</c>/<c>maximum</c>/<c>exclusiveMinimum</c>/<c>exclusiveMaximum</c>.
/// Annotations (title, description, default, examples, …) are ignored; any other keyword is refused.
/// <para>
/// Object members come in schema order (required or not; an optional one may be left out), so a model writes them
/// as the schema lists them. Without <c>additionalProperties</c> an object with <c>properties</c> gets no other
/// members (still valid against the schema, and what callers mean), one without <c>properties</c> is any object.
/// </para>
/// </remarks>
public static class JsonSchemaGrammar
{
    /// <summary>The grammar for <c>response_format: json_object</c>: any JSON object.</summary>
    public static string AnyObject()
    {
        var converter = new SchemaConverter(null);
        return converter.Finish(converter.Fixed("object"));
    }

    /// <summary>The grammar of the JSON values that validate against <paramref name="schemaJson"/>.</summary>
    public static string FromSchema(string schemaJson)
    {
        JsonNode? schema;
        try
        {
            schema = JsonNode.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new SchemaGrammarException("#", $"the schema is not valid JSON: {e.Message}");
        }

        return FromSchema(schema);
    }

    public static string FromSchema(JsonNode? schema)
    {
        var converter = new SchemaConverter(schema);
        return converter.Finish(converter.Visit(schema, "#", "schema"));
    }
}
