namespace Nexa.Engine.Images;

/// <summary>
/// The one range of each image generation field, checked by the server before a model is loaded and by the engine
/// again (which also knows the pipeline's own limits: its scheduler's timesteps, its sizes), so no value passes one
/// and fails the other.
/// </summary>
public static class ImageGenerationLimits
{
    /// <summary>Images per request (<c>n</c>).</summary>
    public const int MaxImages = 4;

    /// <summary>Denoising steps; a pipeline whose scheduler has fewer timesteps allows fewer.</summary>
    public const int MaxSteps = 100;

    /// <summary>Classifier-free guidance: beyond this images only burn out.</summary>
    public const float MaxGuidanceScale = 30f;
}
