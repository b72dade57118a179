namespace Nexa.Engine.Images;

// The engine's own types for image generation (Stable Diffusion on ONNX Runtime). No JSON, no HTTP: the server
// maps OpenAI's /v1/images/generations onto them, the runner carries them over gRPC.

/// <summary>What to generate. Null settings take the pipeline's defaults (<see cref="ImageModelInfo"/>).</summary>
public sealed record ImageGenerationRequest
{
    /// <summary>The prompt; empty is allowed (the original's warm-up answers it without generating).</summary>
    public required string Prompt { get; init; }

    public string? NegativePrompt { get; init; }

    /// <summary>Pixels; a multiple of 64 within the pipeline's range (the server checks first).</summary>
    public int Width { get; init; } = 512;

    public int Height { get; init; } = 512;

    /// <summary>Images to generate (1–4): image i uses seed <see cref="Seed"/> + i.</summary>
    public int Count { get; init; } = 1;

    public int? Steps { get; init; }

    /// <summary>Classifier-free guidance; 1 or less turns it off (one UNet pass per step instead of two).</summary>
    public float? GuidanceScale { get; init; }

    /// <summary>Null: a random seed. The same seed and settings give identical PNG bytes.</summary>
    public ulong? Seed { get; init; }
}

/// <summary>One generated image: PNG bytes and the seed that made it.</summary>
public sealed record GeneratedImage(byte[] Png, ulong Seed);

public sealed record ImageGenerationResult(IReadOnlyList<GeneratedImage> Images, TimeSpan Elapsed);

/// <summary>Reported after each denoising step: <paramref name="Image"/> of <paramref name="Images"/> (0-based), step <paramref name="Step"/> of <paramref name="Steps"/> (1-based).</summary>
public sealed record ImageGenerationProgress(int Image, int Images, int Step, int Steps);

/// <summary>What a loaded image pipeline is and what it accepts.</summary>
public sealed record ImageModelInfo
{
    /// <summary>"sdxl" (two text encoders, pooled text_embeds and time_ids) or "sd" (SD 1.5 / 2.x / SD-Turbo).</summary>
    public required string Family { get; init; }

    /// <summary>The scheduler class from scheduler_config.json (e.g. EulerAncestralDiscreteScheduler).</summary>
    public required string Scheduler { get; init; }

    public int DefaultSize { get; init; } = 512;
    public int MinSize { get; init; } = 64;
    public int MaxSize { get; init; } = 2048;
    public int DefaultSteps { get; init; } = 1;
    public float DefaultGuidanceScale { get; init; }
}
