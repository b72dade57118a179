namespace Nexa.Engine.Images;

/// <summary>
/// diffusers' EulerDiscreteScheduler (no churn) and EulerAncestralDiscreteScheduler: the latents live at noise
/// level sigma; each step estimates the clean image, walks towards it to the next sigma, and (ancestral) adds back
/// fresh noise of strength sigma_up. The turbo models are distilled for this with 1–4 steps.
/// </summary>
public sealed class EulerScheduler : DiffusionScheduler
{
    private readonly bool _ancestral;
    private readonly double[] _timesteps;

    public EulerScheduler(SchedulerConfig config, int steps, bool ancestral)
        : base(config, steps)
    {
        _ancestral = ancestral;
        _timesteps = NoiseSchedule.Timesteps(config, steps, integral: false);
        Sigmas = new double[steps + 1];
        for (var i = 0; i < steps; i++)
        {
            Sigmas[i] = NoiseSchedule.Sigma(AlphasCumprod, _timesteps[i]);
        }

        // diffusers: the largest training sigma, plus one in quadrature unless the schedule starts at the last step.
        var maxSigma = Sigmas.Max();
        InitNoiseSigma = config.TimestepSpacing is "linspace" or "trailing" ? maxSigma : Math.Sqrt(maxSigma * maxSigma + 1);
    }

    /// <summary>Noise level at each step, then 0 (the clean image).</summary>
    public double[] Sigmas { get; }

    public override IReadOnlyList<double> Timesteps => _timesteps;

    public override double InitNoiseSigma { get; }

    public override double ModelInputScale(int step) => 1.0 / Math.Sqrt(Sigmas[step] * Sigmas[step] + 1);

    public override void Step(Span<float> sample, ReadOnlySpan<float> modelOutput, int step, GaussianNoise noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var sigma = Sigmas[step];
        var next = Sigmas[step + 1];
        var sigmaUp = 0.0;
        var sigmaDown = next;
        if (_ancestral)
        {
            sigmaUp = Math.Sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
            sigmaDown = Math.Sqrt(next * next - sigmaUp * sigmaUp);
        }

        var dt = sigmaDown - sigma;
        var vPrediction = Config.PredictionType == "v_prediction";
        var vOut = -sigma / Math.Sqrt(sigma * sigma + 1);
        var vIn = 1.0 / (sigma * sigma + 1);
        for (var i = 0; i < sample.Length; i++)
        {
            double x = sample[i];
            var original = vPrediction ? modelOutput[i] * vOut + x * vIn : x - sigma * modelOutput[i];
            var derivative = (x - original) / sigma;
            sample[i] = (float)(x + derivative * dt);
        }

        // Noise is drawn only when it is used, so a 1-step turbo run consumes none after the initial latents.
        if (sigmaUp > 0)
        {
            for (var i = 0; i < sample.Length; i++)
            {
                sample[i] += (float)(noise.NextGaussian() * sigmaUp);
            }
        }
    }
}
