using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Nexa.Server.Http;

/// <summary>Writes a wire record as the JSON body of the response, through the source-generated context.</summary>
internal static class JsonReply
{
    public const string ContentType = "application/json; charset=utf-8";

    public static async Task WriteAsync<T>(HttpContext http, T value, JsonTypeInfo<T> info, int status = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(http.Response.Body, value, info, http.RequestAborted);
    }

    /// <summary>The literal body <c>null</c>: the original's answer to a warm-up request.</summary>
    public static async Task WriteNullAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentType;
        await http.Response.WriteAsync("null", http.RequestAborted);
    }
}
