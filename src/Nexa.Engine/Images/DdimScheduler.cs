namespace Nexa.Engine.Images;

/// <summary>
/// diffusers' DDIMScheduler with eta 0 (deterministic): each step estimates the clean image and the noise, then
/// re-mixes them at the next timestep's alpha. Latents start at unit variance and the UNet input is not scaled.
/// </summary>
public sealed class DdimScheduler : DiffusionScheduler
{
    private readonly double[] _timesteps;

    public DdimScheduler(SchedulerConfig config, int steps)
        : base(config, steps)
    {
        _timesteps = NoiseSchedule.Timesteps(config, steps, integral: true);
    }

    public override IReadOnlyList<double> Timesteps => _timesteps;

    public override double InitNoiseSigma => 1.0;

    public override double ModelInputScale(int step) => 1.0;

    public override void Step(Span<float> sample, ReadOnlySpan<float> modelOutput, int step, GaussianNoise noise)
    {
        var t = (int)_timesteps[step];
        var previous = t - Config.TrainTimesteps / Steps;
        var alpha = AlphasCumprod[t];
        var alphaPrevious = previous >= 0 ? AlphasCumprod[previous] : Config.SetAlphaToOne ? 1.0 : AlphasCumprod[0];
        var sqrtAlpha = Math.Sqrt(alpha);
        var sqrtBeta = Math.Sqrt(1 - alpha);
        var sqrtAlphaPrevious = Math.Sqrt(alphaPrevious);
        var sqrtBetaPrevious = Math.Sqrt(1 - alphaPrevious);
        var vPrediction = Config.PredictionType == "v_prediction";
        for (var i = 0; i < sample.Length; i++)
        {
            double x = sample[i];
            double output = modelOutput[i];
            double original, epsilon;
            if (vPrediction)
            {
                original = sqrtAlpha * x - sqrtBeta * output;
                epsilon = sqrtAlpha * output + sqrtBeta * x;
            }
            else
            {
                original = (x - sqrtBeta * output) / sqrtAlpha;
                epsilon = output;
            }

            if (Config.ClipSample)
            {
                // As diffusers (use_clipped_model_output off): only the clean-image estimate is clipped.
                original = Math.Clamp(original, -Config.ClipSampleRange, Config.ClipSampleRange);
            }

            sample[i] = (float)(sqrtAlphaPrevious * original + sqrtBetaPrevious * epsilon);
        }
    }
}
