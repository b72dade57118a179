using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>Loads an image generation pipeline (a folder in the Optimum ONNX layout, or its model_index.json).</summary>
public static class ImageModelLoader
{
    public static Task<ILoadedModel> LoadAsync(string path, EngineOptions options, CancellationToken ct) =>
        throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: image generation pipelines ({path})", "model_not_supported");
}
