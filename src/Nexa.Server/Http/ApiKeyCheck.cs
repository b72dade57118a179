using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Nexa.Server.Errors;

namespace Nexa.Server.Http;

/// <summary>
/// <c>--api-key</c>: every <c>/v1</c> route needs <c>Authorization: Bearer &lt;key&gt;</c>; <c>/</c> and <c>/health</c>
/// stay open for probes. Keys are compared as SHA-256 digests in constant time, so neither content nor length leaks.
/// </summary>
internal sealed class ApiKeyCheck(string apiKey)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        var error = Check(http.Request.Headers.Authorization.ToString());
        if (error is null)
            await next(http);
        else
            await ErrorTable.WriteAsync(http, error);
    }

    private ApiError? Check(string authorization)
    {
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
            return ErrorTable.MissingApiKey();
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected) ? null : ErrorTable.WrongApiKey();
    }
}
