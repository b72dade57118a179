using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexa.Engine.Grammar;

internal sealed partial class SchemaConverter
{
    // Literals are written as a model would write them: characters as themselves, escaping only what JSON requires.
    private static readonly JsonSerializerOptions LiteralOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, string> _charRules = new(StringComparer.Ordinal);

    /// <summary>GBNF for exactly this JSON value (compact, as the schema has it).</summary>
    private static string JsonLiteral(JsonNode? value) => GbnfText.Literal(value?.ToJsonString(LiteralOptions) ?? "null");

    private string StringRule(JsonObject o, string path, string hint)
    {
        var min = Count(o, "minLength", path);
        var max = Count(o, "maxLength", path);
        var quote = "\"\\\"\"";
        if (o.ContainsKey("format"))
        {
            var format = o["format"] is JsonValue v && v.TryGetValue<string>(out var f) ? f : throw Fail($"{path}/format", "format must be a string");
            if (!JsonGrammarRules.Formats.Contains(format))
            {
                throw Fail($"{path}/format", $"format '{format}' is not supported (supported: {string.Join(", ", JsonGrammarRules.Formats.Order())})");
            }

            if (min is not null || max is not null || o.ContainsKey("pattern"))
            {
                throw Fail($"{path}/format", "format together with minLength, maxLength or pattern is not supported");
            }

            return Rule($"{hint}-{format}", $"{quote} {Primitive(format)} {quote}");
        }

        if (o.ContainsKey("pattern"))
        {
            var pattern = o["pattern"] is JsonValue v && v.TryGetValue<string>(out var p) ? p : throw Fail($"{path}/pattern", "pattern must be a string");
            if (min is not null || max is not null)
            {
                throw Fail($"{path}/pattern", "pattern together with minLength or maxLength is not supported");
            }

            try
            {
                return Rule(hint, $"{quote} {SchemaPattern.Convert(pattern, CharRule)} {quote}");
            }
            catch (FormatException e)
            {
                throw Fail($"{path}/pattern", e.Message);
            }
        }

        if (min is null && max is null)
        {
            return Primitive("string");
        }

        if (max < min)
        {
            throw Fail($"{path}/minLength", $"minLength {min} is more than maxLength {max}");
        }

        if (min > MaxBound || max > MaxBound)
        {
            throw Fail($"{path}/{(min > MaxBound ? "minLength" : "maxLength")}", $"string lengths above {MaxBound} are not supported");
        }

        return Rule(hint, $"{quote} {Repeat(Primitive("char"), min ?? 0, max)} {quote}");
    }

    /// <summary>A rule for one JSON-encoded character of a set (shared by every pattern that uses the same set).</summary>
    private string CharRule(CharSet set)
    {
        var body = JsonStringChars.Expression(set);
        if (_charRules.TryGetValue(body, out var name))
        {
            return name;
        }

        name = set.Equals(CharSet.All) ? Primitive("char") : Rule("pattern-char", body);
        _charRules[body] = name;
        return name;
    }

    private string IntegerRule(JsonObject o, string path, string hint)
    {
        var (min, max) = IntegerBounds(o, path);
        if (min is null && max is null)
        {
            return Primitive("integer");
        }

        if (min > max)
        {
            throw Fail($"{path}/minimum", "no integer lies between the schema's minimum and maximum");
        }

        return Rule(hint, IntegerRange.Expression(min, max));
    }

    private string NumberRule(JsonObject o, string path, string hint)
    {
        foreach (var keyword in new[] { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" })
        {
            if (o.ContainsKey(keyword))
            {
                throw Fail($"{path}/{keyword}", $"{keyword} is supported for integers only (use \"type\": \"integer\")");
            }
        }

        return Primitive("number");
    }

    // The smallest and largest integer allowed (draft 4's boolean exclusiveMinimum/Maximum too).
    private static (BigInteger? Min, BigInteger? Max) IntegerBounds(JsonObject o, string path)
    {
        BigInteger? min = null;
        BigInteger? max = null;
        var exclusiveFlagMin = o["exclusiveMinimum"] is JsonValue em && em.TryGetValue<bool>(out var emb) && emb;
        var exclusiveFlagMax = o["exclusiveMaximum"] is JsonValue eM && eM.TryGetValue<bool>(out var eMb) && eMb;
        if (Number(o, "minimum", path) is { } minimum)
        {
            min = exclusiveFlagMin ? Floor(minimum) + 1 : Ceiling(minimum);
        }

        if (Number(o, "exclusiveMinimum", path) is { } exclusiveMinimum)
        {
            var bound = Floor(exclusiveMinimum) + 1;
            min = min is null ? bound : BigInteger.Max(min.Value, bound);
        }

        if (Number(o, "maximum", path) is { } maximum)
        {
            max = exclusiveFlagMax ? Ceiling(maximum) - 1 : Floor(maximum);
        }

        if (Number(o, "exclusiveMaximum", path) is { } exclusiveMaximum)
        {
            var bound = Ceiling(exclusiveMaximum) - 1;
            max = max is null ? bound : BigInteger.Min(max.Value, bound);
        }

        return (min, max);
    }

    private static decimal? Number(JsonObject o, string keyword, string path)
    {
        if (!o.TryGetPropertyValue(keyword, out var node) || (node is JsonValue b && b.TryGetValue<bool>(out _)))
        {
            return null;
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d)
            ? d
            : throw Fail($"{path}/{keyword}", $"{keyword} must be a number (within ±7.9e28)");
    }

    private static BigInteger Floor(decimal value) => new(decimal.Floor(value));

    private static BigInteger Ceiling(decimal value) => new(decimal.Ceiling(value));
}
