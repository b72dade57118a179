using Nexa.Engine.Text;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Protocol.Models;
using Nexa.Runner;
using Nexa.Server.Errors;

namespace Nexa.Server.Catalog;

/// <summary>The pulled models as the HTTP API sees them: name resolution (404s), the model list, and start info.</summary>
internal sealed class ModelCatalog(ModelStore store, ServerOptions options)
{
    /// <summary>The model and quant a request names; throws the 404 a client should see when it is not pulled.</summary>
    public ResolvedModel Resolve(string requested)
    {
        var (name, stored) = Find(requested);
        var quant = stored.ChooseQuant(name.Quant) ?? throw QuantNotFound(requested, name, stored);
        var engine = new EngineOptions { ContextSize = options.ContextSize, Threads = options.Threads, Parallel = options.Parallel };
        var start = new RunnerStartInfo(stored.ModelPath(quant), engine) { MMProjPath = stored.MMProjPath, Verbose = options.Verbose, ModelType = stored.Manifest.ModelType };
        return new ResolvedModel(stored, quant, start);
    }

    /// <summary>Refuses models that cannot chat (embedders, rerankers, image generators…) and images for text-only models.</summary>
    public static void EnsureCanChat(ResolvedModel model, string requested, bool hasImages)
    {
        var kind = model.ModelType switch
        {
            ModelTypes.Embedder => "an embedder",
            ModelTypes.Reranker => "a reranker",
            ModelTypes.ImageGen => "an image generation model",
            ModelTypes.Asr => "a speech recognition model",
            ModelTypes.Tts => "a speech synthesis model",
            _ => null,
        };
        if (kind is not null)
            throw new ApiException(ErrorTable.ModelCannot($"model '{requested}' is {kind} and cannot chat"));
        if (!hasImages)
            return;
        if (model.ModelType == ModelTypes.Vlm || model.Stored.MMProjPath is not null)
            throw new ApiException(ErrorTable.NotSupportedYet("messages", "image inputs (vision) are not served over HTTP yet"));
        throw new ApiException(ErrorTable.ModelCannot($"model '{requested}' cannot see images: it has no vision projector"));
    }

    public IReadOnlyList<ModelCard> List() => [.. store.List().Select(m => Card(m, m.Name.Id))];

    /// <summary>One model by <c>org/repo[:QUANT]</c>; throws 404 when it (or that quant) is not pulled.</summary>
    public ModelCard Describe(string requested)
    {
        var (name, stored) = Find(requested);
        if (name.Quant is not null && stored.ChooseQuant(name.Quant) is null)
            throw QuantNotFound(requested, name, stored);
        return Card(stored, name.ToString());
    }

    private (ModelName Name, StoredModel Stored) Find(string requested)
    {
        if (!ModelName.TryParse(requested, out var name, out var error))
            throw new ApiException(ErrorTable.ModelNotFound(error));
        var stored = store.Find(name)
            ?? throw new ApiException(ErrorTable.ModelNotFound($"model '{requested}' is not pulled; pull it first: nexa pull {name.Id}"));
        return (name, stored);
    }

    private static ApiException QuantNotFound(string requested, ModelName name, StoredModel stored)
    {
        var have = stored.Manifest.DownloadedQuants;
        var message = name.Quant is null
            ? $"model '{requested}' has no downloaded model file; pull it again: nexa pull {name.Id}"
            : $"model '{name.Id}' has no quant {name.Quant} downloaded; it has: {(have.Count == 0 ? "none" : string.Join(", ", have))}";
        return new ApiException(ErrorTable.ModelNotFound(message));
    }

    private ModelCard Card(StoredModel model, string id) => new()
    {
        Id = id,
        Created = new DateTimeOffset(File.GetLastWriteTimeUtc(store.ManifestPath(model.Name))).ToUnixTimeSeconds(),
        OwnedBy = model.Name.Org,
    };
}
