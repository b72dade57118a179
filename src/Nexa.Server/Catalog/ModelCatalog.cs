using Nexa.Engine.Text;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Protocol.Models;
using Nexa.Runner;
using Nexa.Server.Errors;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Catalog;

/// <summary>The pulled models as the HTTP API sees them: name resolution (404s), the model list, and start info.</summary>
internal sealed class ModelCatalog(ModelStore store, ServerOptions options)
{
    private readonly NameResolver _names = new(store, options.Aliases);

    /// <summary>The model and quant a request names; throws the 404 a client should see when it is not pulled.</summary>
    public ResolvedModel Resolve(string requested)
    {
        var (name, stored, _) = _names.Find(requested);
        var quant = stored.ChooseQuant(name.Quant) ?? throw QuantNotFound(requested, name, stored);
        // A chat model gets ContextSize tokens per slot; an embedding model's context is one batch of inputs.
        var chat = stored.Manifest.ModelType is not (ModelTypes.Embedder or ModelTypes.Reranker);
        var engine = new EngineOptions
        {
            ContextSize = chat ? options.ContextSize * options.Parallel : options.ContextSize,
            Threads = options.Threads,
            Parallel = options.Parallel,
            PromptCache = options.PromptCache,
        };
        var start = new RunnerStartInfo(stored.ModelPath(quant), engine) { MMProjPath = stored.MMProjPath, Verbose = options.Verbose, ModelType = stored.Manifest.ModelType };
        return new ResolvedModel(stored, quant, start);
    }

    /// <summary>
    /// The one place request kinds meet model types: chat takes llm and vlm models (and types we do not know, as the
    /// original's older manifests may carry) and, with images, only a model with a vision projector; embeddings take
    /// embedders, rerank takes rerankers, image generation takes image_gen pipelines.
    /// </summary>
    public static void EnsureCan(ResolvedModel model, string requested, ModelNeed need)
    {
        switch (need.Task)
        {
            case ModelTask.Chat:
                if (model.ModelType is ModelTypes.Embedder or ModelTypes.Reranker or ModelTypes.ImageGen or ModelTypes.Asr or ModelTypes.Tts)
                    throw Cannot(model, requested, "chat", "/v1/chat/completions needs an llm or vlm model");
                // The projector file, not the manifest's type, decides: the runner loads it whenever it is there.
                if (need.FirstImageParam is { } param && model.Stored.MMProjPath is null)
                    throw new ApiException(ErrorTable.ModelCannotSeeImages(requested, param));
                break;
            case ModelTask.Tokenize when model.ModelType is ModelTypes.Embedder or ModelTypes.Reranker or ModelTypes.ImageGen or ModelTypes.Asr or ModelTypes.Tts:
                throw Cannot(model, requested, "tokenize", "/tokenize and /detokenize need an llm or vlm model");
            case ModelTask.ApplyTemplate when model.ModelType is ModelTypes.Embedder or ModelTypes.Reranker or ModelTypes.ImageGen or ModelTypes.Asr or ModelTypes.Tts:
                throw Cannot(model, requested, "apply a chat template", "/apply-template needs an llm or vlm model");
            case ModelTask.Embeddings when model.ModelType != ModelTypes.Embedder:
                throw Cannot(model, requested, "create embeddings", $"/v1/embeddings needs an {ModelTypes.Embedder} model");
            case ModelTask.Rerank when model.ModelType != ModelTypes.Reranker:
                throw Cannot(model, requested, "rerank", $"reranking needs a {ModelTypes.Reranker} model");
            case ModelTask.ImageGeneration when model.ModelType != ModelTypes.ImageGen:
                throw Cannot(model, requested, "generate images", $"/v1/images/generations needs an {ModelTypes.ImageGen} model");
        }
    }

    private static EngineException Cannot(ResolvedModel model, string requested, string what, string hint)
    {
        var kind = model.ModelType switch
        {
            ModelTypes.Llm => "a text generation model",
            ModelTypes.Vlm => "a vision-language model",
            ModelTypes.Embedder => "an embedder",
            ModelTypes.Reranker => "a reranker",
            ModelTypes.ImageGen => "an image generation model",
            ModelTypes.Asr => "a speech recognition model",
            ModelTypes.Tts => "a speech synthesis model",
            _ => "a model",
        };
        return EngineException.ModelCannot(requested, what, $"it is {kind} (type '{model.ModelType}'); {hint}");
    }

    /// <summary>The pulled models, then the aliases whose model is pulled (a client may pick its name from here).</summary>
    public IReadOnlyList<ModelCard> List()
    {
        var cards = store.List().Select(m => Card(m, m.Name.Id)).ToList();
        foreach (var alias in _names.Aliases)
        {
            if (store.Lookup(alias.Target).Model is { } target && target.ChooseQuant(alias.Target.Quant) is not null)
                cards.Add(Card(target, alias.Name));
        }
        return cards;
    }

    /// <summary>
    /// One model by <c>org/repo[:QUANT]</c> (any case: the card names it as pulled) or by alias (the card names the
    /// alias); throws 404 when it (or that quant) is not pulled.
    /// </summary>
    public ModelCard Describe(string requested)
    {
        var (name, stored, alias) = _names.Find(requested);
        if (name.Quant is not null && stored.ChooseQuant(name.Quant) is null)
            throw QuantNotFound(requested, name, stored);
        return Card(stored, alias?.Name ?? (name with { Org = stored.Name.Org, Repo = stored.Name.Repo }).ToString());
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
