using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>Loads an image generation pipeline (a folder in the Optimum ONNX layout, or its model_index.json).</summary>
public static class ImageModelLoader
{
    /// <summary>
    /// Opens every stage of the pipeline on ONNX Runtime. A folder that is not a complete pipeline, or a graph
    /// ONNX Runtime refuses, is an <see cref="EngineException"/> of kind <see cref="EngineErrorKind.LoadFailed"/>.
    /// </summary>
    public static async Task<ILoadedModel> LoadAsync(string path, EngineOptions options, CancellationToken ct) =>
        await StableDiffusionPipeline.LoadAsync(path, options, ct).ConfigureAwait(false);
}
