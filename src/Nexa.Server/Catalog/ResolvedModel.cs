using Nexa.Hub.Store;
using Nexa.Runner;

namespace Nexa.Server.Catalog;

/// <summary>A pulled model chosen for a request: which quant, and how to start it.</summary>
internal sealed record ResolvedModel(StoredModel Stored, string Quant, RunnerStartInfo Start)
{
    /// <summary>Residency's key: one loaded instance per model and quant (<c>org/repo:QUANT</c>).</summary>
    public string Key => $"{Stored.Name.Id}:{Quant}";

    public string ModelType => Stored.Manifest.ModelType;
}
