namespace Nexa.Engine.Images;

/// <summary>
/// The training noise schedule of a diffusers scheduler and the timesteps a short run samples from it. Formulas as
/// in diffusers' EulerDiscreteScheduler / DDIMScheduler (<c>__init__</c> and <c>set_timesteps</c>), in double precision.
/// </summary>
public static class NoiseSchedule
{
    /// <summary>Cumulative products of (1 - beta) over the training timesteps.</summary>
    public static double[] AlphasCumprod(SchedulerConfig config)
    {
        var n = config.TrainTimesteps;
        var result = new double[n];
        var product = 1.0;
        for (var i = 0; i < n; i++)
        {
            var fraction = (double)i / (n - 1);
            var beta = config.BetaSchedule == "scaled_linear"
                ? Square(Math.Sqrt(config.BetaStart) + fraction * (Math.Sqrt(config.BetaEnd) - Math.Sqrt(config.BetaStart)))
                : config.BetaStart + fraction * (config.BetaEnd - config.BetaStart);
            product *= 1.0 - beta;
            result[i] = product;
        }

        return result;
    }

    /// <summary>
    /// The training timesteps of a run of <paramref name="steps"/> steps, noisiest first. Fractional for
    /// "linspace" (Euler interpolates sigmas between them); <paramref name="integral"/> rounds them as DDIM does.
    /// </summary>
    public static double[] Timesteps(SchedulerConfig config, int steps, bool integral)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var n = config.TrainTimesteps;
        var result = new double[steps];
        switch (config.TimestepSpacing)
        {
            case "linspace":
                for (var i = 0; i < steps; i++)
                {
                    var t = steps == 1 ? 0 : (n - 1) * (double)i / (steps - 1);
                    result[steps - 1 - i] = integral ? Math.Round(t, MidpointRounding.ToEven) : t;
                }

                break;
            case "leading":
                var ratio = n / steps; // integer division, as diffusers
                for (var i = 0; i < steps; i++)
                {
                    result[steps - 1 - i] = (double)i * ratio + config.StepsOffset;
                }

                break;
            default: // trailing: np.round(np.arange(n, 0, -n / steps)) - 1
                var stride = (double)n / steps;
                for (var i = 0; i < steps; i++)
                {
                    result[i] = Math.Round(n - i * stride, MidpointRounding.ToEven) - 1;
                }

                break;
        }

        return result;
    }

    /// <summary>Noise level sqrt((1 - ᾱ) / ᾱ) at a (possibly fractional) timestep, linearly interpolated as np.interp.</summary>
    public static double Sigma(double[] alphasCumprod, double timestep)
    {
        var t = Math.Clamp(timestep, 0, alphasCumprod.Length - 1);
        var low = (int)Math.Floor(t);
        var high = Math.Min(low + 1, alphasCumprod.Length - 1);
        var lowSigma = SigmaAt(alphasCumprod, low);
        return lowSigma + (t - low) * (SigmaAt(alphasCumprod, high) - lowSigma);
    }

    private static double SigmaAt(double[] alphasCumprod, int t) => Math.Sqrt((1 - alphasCumprod[t]) / alphasCumprod[t]);

    private static double Square(double x) => x * x;
}
