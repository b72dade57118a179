using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexa.Server.Errors;

/// <summary>
/// The one boundary where exceptions become answers: whatever a request throws, the client gets OpenAI's error
/// shape and the server goes on. Failures nobody foresaw are logged once, with their stack trace.
/// </summary>
internal sealed class ErrorBoundary(RequestDelegate next, IHostApplicationLifetime lifetime, ILogger<ErrorBoundary> log)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: its work is already cancelled and there is nobody to answer.
            log.LogDebug("client left: {Method} {Path}", http.Request.Method, http.Request.Path);
        }
        catch (Exception e)
        {
            var stopping = e is OperationCanceledException && lifetime.ApplicationStopping.IsCancellationRequested;
            var error = stopping ? ErrorTable.ShuttingDown() : ErrorTable.From(e);
            if (!stopping && ErrorTable.IsUnexpected(e))
                log.LogError(e, "unexpected failure serving {Method} {Path}", http.Request.Method, http.Request.Path);
            if (http.Response.HasStarted)
            {
                http.Abort();
                return;
            }
            await ErrorTable.WriteAsync(http, error);
        }
    }
}
