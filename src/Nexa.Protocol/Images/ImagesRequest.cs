namespace Nexa.Protocol.Images;

/// <summary>
/// The body of <c>POST /v1/images/generations</c>: OpenAI's fields and the original Nexa's Stable Diffusion knobs
/// (<c>seed</c>, <c>steps</c>, <c>guidance_scale</c>, <c>negative_prompt</c>). Every field is optional on the wire so
/// that a missing one is reported by name.
/// </summary>
public sealed record ImagesRequest
{
    public string? Model { get; init; }

    /// <summary>What to draw; empty is the original's warm-up (load the model, answer <c>null</c>).</summary>
    public string? Prompt { get; init; }

    /// <summary>Images to generate, 1 to 4 (default 1).</summary>
    public int? N { get; init; }

    /// <summary><c>WxH</c> in pixels, each a multiple of 64 within the model's range; default: the model's square size.</summary>
    public string? Size { get; init; }

    /// <summary><c>url</c> (the default, as the original) or <c>b64_json</c>.</summary>
    public string? ResponseFormat { get; init; }

    /// <summary>Image i uses seed + i; the same seed and settings give identical PNG bytes. Absent: random.</summary>
    public long? Seed { get; init; }

    public int? Steps { get; init; }

    public float? GuidanceScale { get; init; }

    public string? NegativePrompt { get; init; }

    /// <summary>OpenAI's <c>quality</c>, <c>style</c> and <c>user</c>: accepted and ignored (DALL·E settings).</summary>
    public string? Quality { get; init; }

    public string? Style { get; init; }

    public string? User { get; init; }
}
