using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Nexa.Server.Catalog;
using Nexa.Server.Http;
using Nexa.Server.Residency;

namespace Nexa.Server.Pipeline;

/// <summary>
/// The one path every model route takes: read the body → map it to a job (400s) → resolve the model (404s) → check it
/// can do the job (400) → answer a warm-up → hand the route a <see cref="ModelCall{TJob}"/> that can lease the model.
/// A route supplies only its body type, its mapper and what it does with a leased model (and, where a warm-up is not
/// answered with <c>null</c>, what it answers instead).
/// </summary>
internal sealed class ModelPipeline(ModelCatalog catalog, ModelResidency residency, IHostApplicationLifetime lifetime)
{
    public async Task RunAsync<TBody, TJob>(
        HttpContext http, JsonTypeInfo<TBody> wire, Func<TBody, TJob> map, Func<ModelCall<TJob>, Task> run, Func<ModelCall<TJob>, Task>? warmUp = null)
        where TBody : class
        where TJob : IModelJob
    {
        var body = await RequestBody.ReadAsync(http, wire);
        var job = map(body);
        var model = catalog.Resolve(job.Model);
        ModelCatalog.EnsureCan(model, job.Model, job.Need);

        // A client that goes away, or a server that stops, ends the work at once.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var call = new ModelCall<TJob>(http, job, model, residency, cancel.Token);
        if (job.IsWarmUp)
        {
            await residency.WarmUpAsync(model, cancel.Token);
            await (warmUp is null ? JsonReply.WriteNullAsync(http) : warmUp(call));
            return;
        }
        await run(call);
    }
}

/// <summary>One request past the checks: its job, its model, and a way to hold the model loaded with one of its slots.</summary>
internal sealed class ModelCall<TJob>(HttpContext http, TJob job, ResolvedModel model, ModelResidency residency, CancellationToken ct)
{
    public HttpContext Http { get; } = http;
    public TJob Job { get; } = job;
    public ResolvedModel Model { get; } = model;

    /// <summary>Cancelled when the client leaves or the server stops.</summary>
    public CancellationToken Ct { get; } = ct;

    /// <summary>Loads the model if needed and takes one of its slots (waits in its queue; 503 when that is full).</summary>
    public Task<ModelLease> LeaseAsync() => residency.AcquireAsync(Model, forGeneration: true, Ct);
}
