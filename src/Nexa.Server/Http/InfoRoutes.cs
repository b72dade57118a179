using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nexa.Engine.Text;
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

    private async Task HealthAsync(HttpContext http)
    {
        var snapshot = residency.Snapshot();
        var loaded = await Task.WhenAll(snapshot.Select(m => DescribeAsync(m, http.RequestAborted)));
        var budget = residency.MemoryBudgetBytes;
        var status = new HealthStatus("ok", [.. snapshot.Where(m => m.Model is not null).Select(m => m.Key)])
        {
            Loaded = loaded,
            MemoryBudgetBytes = budget > 0 ? budget : null,
            EstimatedBytes = snapshot.Sum(m => m.EstimatedBytes),
        };
        await JsonReply.WriteAsync(http, status, ProtocolJsonContext.Wire.HealthStatus);
    }

    // The engine's own counts come from the runner (a short call); a runner that does not answer in time, or has
    // died, leaves them out rather than holding the health check up.
    private static async Task<LoadedModelHealth> DescribeAsync(ResidentSnapshot m, CancellationToken ct)
    {
        ModelStats? stats = null;
        if (m.Model is { HasExited: false } model)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                stats = await model.GetStatsAsync(timeout.Token);
            }
            catch (Exception e) when (e is EngineException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        return new LoadedModelHealth
        {
            Model = m.Key,
            Type = m.ModelType,
            State = m.Model is null ? "loading" : "loaded",
            Slots = m.Slots,
            SlotsBusy = m.BusySlots,
            Queued = m.Waiting,
            ActiveSequences = stats?.ActiveSequences,
            EngineQueued = stats?.QueuedJobs,
            CacheTokens = stats?.CachedTokens,
            ContextSize = stats?.ContextSize,
            ResidentBytes = stats?.ResidentBytes,
            EstimatedBytes = m.EstimatedBytes,
            UnloadsAt = m.UnloadsAt,
        };
    }

    private Task ListModelsAsync(HttpContext http) =>
        JsonReply.WriteAsync(http, new Protocol.Models.ModelList { Data = catalog.List() }, ProtocolJsonContext.Wire.ModelList);

    private Task DescribeModelAsync(HttpContext http)
    {
        // Clients may escape the slash of org/repo.
        var id = Uri.UnescapeDataString(http.Request.RouteValues["id"] as string ?? "");
        return JsonReply.WriteAsync(http, catalog.Describe(id), ProtocolJsonContext.Wire.ModelCard);
    }
}
