using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// One denoising run: the timesteps the UNet sees, how its input is scaled, and how each of its predictions moves
/// the latents one step towards a clean image. A new instance per image (Euler keeps no state between runs, but
/// this keeps that a detail). Formulas follow diffusers' schedulers of the same names.
/// </summary>
public abstract class DiffusionScheduler
{
    protected DiffusionScheduler(SchedulerConfig config, int steps)
    {
        Config = config;
        Steps = steps;
        AlphasCumprod = NoiseSchedule.AlphasCumprod(config);
    }

    public SchedulerConfig Config { get; }

    public int Steps { get; }

    /// <summary>The timestep given to the UNet at each step, noisiest first.</summary>
    public abstract IReadOnlyList<double> Timesteps { get; }

    /// <summary>Standard deviation of the starting noise.</summary>
    public abstract double InitNoiseSigma { get; }

    protected double[] AlphasCumprod { get; }

    /// <summary>The factor the latents are multiplied by before they go into the UNet at <paramref name="step"/>.</summary>
    public abstract double ModelInputScale(int step);

    /// <summary>Moves <paramref name="sample"/> in place from step <paramref name="step"/> to the next one.</summary>
    public abstract void Step(Span<float> sample, ReadOnlySpan<float> modelOutput, int step, GaussianNoise noise);

    /// <summary>
    /// The scheduler a config names. PNDM and LMS (the classic SD 1.x defaults) run as Euler with the same noise
    /// schedule: diffusers documents these schedulers as interchangeable on one model, and Euler needs no history.
    /// </summary>
    public static DiffusionScheduler Create(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (steps < 1 || steps > config.TrainTimesteps)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"steps must be between 1 and {config.TrainTimesteps}", ErrorCodes.InvalidValue, "steps");
        }

        return SchedulerKind(config.ClassName) switch
        {
            "EulerAncestralDiscreteScheduler" => new EulerScheduler(config, steps, ancestral: true),
            "DDIMScheduler" => new DdimScheduler(config, steps),
            _ => new EulerScheduler(config, steps, ancestral: false),
        };
    }

    /// <summary>The class that actually runs for a config's <c>_class_name</c>; null when it is not one we run.</summary>
    public static string SchedulerKind(string className) => className switch
    {
        "EulerAncestralDiscreteScheduler" or "DDIMScheduler" or "EulerDiscreteScheduler" => className,
        "PNDMScheduler" or "LMSDiscreteScheduler" => "EulerDiscreteScheduler",
        _ => throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: scheduler {className} (Euler, Euler Ancestral, DDIM, PNDM and LMS configs are)"),
    };
}
