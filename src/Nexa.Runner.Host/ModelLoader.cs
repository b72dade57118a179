using Nexa.Engine;
using Nexa.Engine.Embeddings;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Hub.Store;

namespace Nexa.Runner.Host;

/// <summary>Loads the model a runner serves.</summary>
public static class ModelLoader
{
    /// <summary>
    /// The llama.cpp engine for the model's type: an embedding model for embedders and rerankers, the text engine
    /// otherwise. Its log goes to the runner's stderr (which the server keeps) when verbose.
    /// </summary>
    public static async Task<ILoadedModel> LoadRealModelAsync(RunnerStartInfo start, CancellationToken ct)
    {
        NativeLogging.Configure(start.Verbose, Console.Error);
        return start.ModelType switch
        {
            ModelTypes.Embedder => await EmbeddingModel.LoadAsync(start.ModelPath, start.Options, EmbeddingModelKind.Embedder, ct),
            ModelTypes.Reranker => await EmbeddingModel.LoadAsync(start.ModelPath, start.Options, EmbeddingModelKind.Reranker, ct),
            ModelTypes.ImageGen => await ImageModelLoader.LoadAsync(start.ModelPath, start.Options, ct),
            // A vision model's projector (mmproj) loads beside its text model: messages may then carry images.
            _ => await TextModel.LoadAsync(start.ModelPath, start.MMProjPath, start.Options, ct),
        };
    }
}
