using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Nexa.Server.Errors;

namespace Nexa.Server.Http;

/// <summary>
/// Reads a JSON request body into a wire record. Kestrel enforces the size limit (413); a body that is not JSON,
/// a field of the wrong type and a string that is not Unicode are told apart, so the client hears which field is wrong.
/// </summary>
internal static partial class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> info)
        where T : class
    {
        // Sized from Content-Length when there is one (never past the body limit, which Kestrel enforces as it reads):
        // one buffer, instead of a chain of doublings that leaves up to three times the body as garbage.
        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
        using var buffer = new MemoryStream((int)Math.Clamp(Math.Min(http.Request.ContentLength ?? 0, limit), 0, Array.MaxLength));
        try
        {
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !http.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some framing faults (a chunk size that overflows) as a plain IOException, not as
            // BadHttpRequestException (413, 400: the error table maps those): the client sent something that is not HTTP.
            throw new ApiException(ErrorTable.MalformedRequest(StatusCodes.Status400BadRequest, e.Message));
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.IsEmpty)
            throw new ApiException(ErrorTable.MalformedJson("the body is empty"));

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(bytes.Span, info);
        }
        catch (JsonException e)
        {
            throw new ApiException(Explain(bytes, e, info));
        }
        return value ?? throw new ApiException(ErrorTable.MalformedJson("expected a JSON object"));
    }

    /// <summary>
    /// The text of a string kept as raw JSON (<see cref="JsonElement"/>): a string that is not Unicode throws
    /// <see cref="InvalidOperationException"/> when read, which becomes a 400 naming <paramref name="param"/>.
    /// </summary>
    public static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new ApiException(ErrorTable.InvalidText(param));
        }
    }

    private static ApiError Explain<T>(ReadOnlyMemory<byte> json, JsonException e, JsonTypeInfo<T> info)
    {
        if (SyntaxError(json.Span) is { } syntax)
            return ErrorTable.MalformedJson(syntax);
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            return ErrorTable.MalformedJson("the body is not valid UTF-8");
        var param = ParamOf(e.Path);
        // A string that is not Unicode fails as it is read, and the deserializer reports it at its field like a wrong type.
        if (HoldsInvalidText(json, e.Path))
            return ErrorTable.InvalidText(param.Length == 0 ? "body" : param);
        return param.Length == 0
            ? ErrorTable.MalformedJson("expected a JSON object")
            : ErrorTable.WrongType(param, ExpectedOf(e, info));
    }

    // The deserializer's message names .NET types; the reader alone says whether the text is JSON at all.
    private static string? SyntaxError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException e)
        {
            var at = e.Message.IndexOf(" LineNumber", StringComparison.Ordinal);
            return (at > 0 ? e.Message[..at] : e.Message).TrimEnd(' ', '|', '.') + $" (byte {reader.BytesConsumed})";
        }
    }

    // True when the value at the failing path holds a string or a property name that cannot be read as .NET text.
    private static bool HoldsInvalidText(ReadOnlyMemory<byte> json, string? path)
    {
        using var document = JsonDocument.Parse(json);
        var element = document.RootElement;
        foreach (Match segment in PathSegment().Matches(path ?? ""))
        {
            if (segment.Groups["index"].Success && element.ValueKind == JsonValueKind.Array
                && int.TryParse(segment.Groups["index"].Value, out var index) && index < element.GetArrayLength())
                element = element[index];
            else if (segment.Groups["name"].Success && element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty(segment.Groups["name"].Value, out var property))
                element = property;
            else
                break;
        }
        return !IsText(element);
    }

    private static bool IsText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(IsText);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => p.Name.Length >= 0 && IsText(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // "$.messages[0].content" → "messages[0].content".
    private static string ParamOf(string? path) =>
        path is null || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // Our converters say what they expected; otherwise the type at the path, from the serializer's own metadata.
    private static string ExpectedOf<T>(JsonException e, JsonTypeInfo<T> root)
    {
        if (e.Message.StartsWith("expected ", StringComparison.Ordinal))
            return e.Message[9..];
        JsonTypeInfo? info = root;
        foreach (Match segment in PathSegment().Matches(e.Path ?? ""))
        {
            Type? next = segment.Groups["index"].Success
                ? info?.ElementType
                : info?.Properties.FirstOrDefault(p => p.Name == segment.Groups["name"].Value)?.PropertyType;
            info = next is null ? null : root.Options.GetTypeInfo(next);
        }
        var type = info is null ? null : Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return type switch
        {
            null => "another type",
            _ when type == typeof(double) || type == typeof(float) => "a number",
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when info!.Kind == JsonTypeInfoKind.Enumerable => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_]+)|\[(?<index>\d+)\]|\['(?<name>[^']*)'\]")]
    private static partial Regex PathSegment();
}
