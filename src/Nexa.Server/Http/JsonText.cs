using System.Text.Json;
using Nexa.Server.Errors;

namespace Nexa.Server.Http;

/// <summary>Strings read from request fields kept as raw JSON, where invalid Unicode (a lone surrogate) is a 400 naming the field.</summary>
internal static class JsonText
{
    public static string String(JsonElement element, string param)
    {
        try
        {
            return element.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new ApiException(ErrorTable.InvalidValue(param, "is not valid Unicode text (a lone surrogate or invalid UTF-8)"));
        }
    }
}
