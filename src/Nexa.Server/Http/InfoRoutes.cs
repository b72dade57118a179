using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nexa.Protocol;
using Nexa.Server.Catalog;
using Nexa.Server.Residency;

namespace Nexa.Server.Http;

/// <summary>The read-only routes: liveness (<c>/</c>, <c>/health</c>) and the model list (<c>/v1/models</c>).</summary>
internal sealed class InfoRoutes(ModelCatalog catalog, ModelResidency residency)
{
    public void Map(WebApplication app)
    {
        app.MapGet("/", Root);
        app.MapGet("/health", HealthAsync);
        app.MapGet("/v1/models", ListModelsAsync);
        app.MapGet("/v1/models/{**id}", DescribeModelAsync);
    }

    private static Task Root(HttpContext http)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync("nexa is running\n", http.RequestAborted);
    }

    private Task HealthAsync(HttpContext http) =>
        JsonReply.WriteAsync(http, new HealthStatus("ok", residency.Loaded), ProtocolJsonContext.Wire.HealthStatus);

    private Task ListModelsAsync(HttpContext http) =>
        JsonReply.WriteAsync(http, new Protocol.Models.ModelList { Data = catalog.List() }, ProtocolJsonContext.Wire.ModelList);

    private Task DescribeModelAsync(HttpContext http)
    {
        // Clients may escape the slash of org/repo.
        var id = Uri.UnescapeDataString(http.Request.RouteValues["id"] as string ?? "");
        return JsonReply.WriteAsync(http, catalog.Describe(id), ProtocolJsonContext.Wire.ModelCard);
    }
}
