using Nexa.Engine.Images;

namespace Nexa.Tests.Engine.Images;

/// <summary>
/// Scheduler math against numbers computed independently: a plain-Python script (double precision) that writes out
/// diffusers' formulas (scaled_linear betas, alphas_cumprod, set_timesteps for trailing/leading spacing,
/// sigma = sqrt((1 - ᾱ) / ᾱ), Euler / Euler Ancestral / DDIM step); its printed values are pasted here. sdxl-turbo's
/// config: EulerAncestralDiscrete, scaled_linear 0.00085–0.012, 1000 steps, trailing, steps_offset 1.
/// </summary>
public sealed class SchedulerMathTests
{
    private static readonly SchedulerConfig SdxlTurbo = new()
    {
        ClassName = "EulerAncestralDiscreteScheduler",
        BetaSchedule = "scaled_linear",
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        TimestepSpacing = "trailing",
        StepsOffset = 1,
        SetAlphaToOne = false,
    };

    // SD 1.5's scheduler_config (PNDM there; the same noise schedule drives Euler and DDIM): leading spacing, offset 1.
    private static readonly SchedulerConfig Sd15 = SdxlTurbo with { ClassName = "EulerDiscreteScheduler", TimestepSpacing = "leading" };

    [Theory]
    [InlineData(1, new double[] { 999 }, new[] { 14.6146412, 0 })]
    [InlineData(2, new double[] { 999, 499 }, new[] { 14.6146412, 1.61288619, 0 })]
    [InlineData(4, new double[] { 999, 749, 499, 249 }, new[] { 14.6146412, 4.08172936, 1.61288619, 0.6932049, 0 })]
    public void Sdxl_turbo_schedule_has_diffusers_timesteps_and_sigmas(int steps, double[] timesteps, double[] sigmas)
    {
        var scheduler = Assert.IsType<EulerScheduler>(DiffusionScheduler.Create(SdxlTurbo, steps));

        Assert.Equal(timesteps, scheduler.Timesteps);
        Assert.Equal(sigmas.Length, scheduler.Sigmas.Length);
        for (var i = 0; i < sigmas.Length; i++)
        {
            Assert.Equal(sigmas[i], scheduler.Sigmas[i], 6);
        }

        // Trailing spacing starts at the last training step: the starting noise is that sigma itself.
        Assert.Equal(14.6146412, scheduler.InitNoiseSigma, 6);
        Assert.Equal(1 / Math.Sqrt(14.6146412 * 14.6146412 + 1), scheduler.ModelInputScale(0), 6);
    }

    [Fact]
    public void Leading_spacing_offsets_timesteps_and_adds_unit_variance_to_the_starting_noise()
    {
        var euler = Assert.IsType<EulerScheduler>(DiffusionScheduler.Create(Sd15, 4));
        var ddim = DiffusionScheduler.Create(Sd15 with { ClassName = "DDIMScheduler" }, 4);

        Assert.Equal([751, 501, 251, 1], euler.Timesteps);
        Assert.Equal([751, 501, 251, 1], ddim.Timesteps);
        double[] sigmas = [4.11669648, 1.62369208, 0.698398091, 0.041314412, 0];
        for (var i = 0; i < sigmas.Length; i++)
        {
            Assert.Equal(sigmas[i], euler.Sigmas[i], 6);
        }

        Assert.Equal(4.236412385791067, euler.InitNoiseSigma, 6);
        Assert.Equal(1.0, ddim.InitNoiseSigma);
        Assert.Equal(1.0, ddim.ModelInputScale(0));
    }

    [Fact]
    public void Pndm_and_lms_configs_run_as_euler_and_unknown_schedulers_are_refused()
    {
        Assert.IsType<EulerScheduler>(DiffusionScheduler.Create(Sd15 with { ClassName = "PNDMScheduler" }, 3));
        Assert.IsType<EulerScheduler>(DiffusionScheduler.Create(Sd15 with { ClassName = "LMSDiscreteScheduler" }, 3));
        var error = Assert.Throws<Nexa.Engine.Text.EngineException>(() => DiffusionScheduler.Create(Sd15 with { ClassName = "UniPCMultistepScheduler" }, 3));
        Assert.Equal(Nexa.Engine.Text.EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("not supported yet", error.Message);
    }

    [Fact]
    public void Ddim_step_remixes_the_clean_estimate_at_the_next_alpha()
    {
        var ddim = DiffusionScheduler.Create(Sd15 with { ClassName = "DDIMScheduler" }, 4);
        float[] sample = [1f];

        ddim.Step(sample, [0.5f], 0, new GaussianNoise(1)); // t 751 → 501
        Assert.Equal(1.56791947, sample[0], 5);

        // The last step (t 1 → -249) ends at ᾱ[0], not 1, because set_alpha_to_one is false.
        sample[0] = 1f;
        ddim.Step(sample, [0.5f], 3, new GaussianNoise(1));
        Assert.Equal(0.994356578, sample[0], 5);
    }

    [Fact]
    public void Euler_step_follows_epsilon_and_v_prediction()
    {
        var config = SdxlTurbo with { ClassName = "EulerDiscreteScheduler" };
        float[] sample = [1f];
        DiffusionScheduler.Create(config, 4).Step(sample, [0.5f], 0, new GaussianNoise(1));
        Assert.Equal(-4.26645593, sample[0], 4);

        sample[0] = 1f;
        DiffusionScheduler.Create(config with { PredictionType = "v_prediction" }, 4).Step(sample, [0.5f], 0, new GaussianNoise(1));
        Assert.Equal(-0.0768651596, sample[0], 5);
    }

    [Fact]
    public void Ancestral_step_walks_to_sigma_down_and_adds_noise_of_sigma_up()
    {
        var scheduler = DiffusionScheduler.Create(SdxlTurbo, 2);
        float[] sample = [1f, -2f];
        float[] output = [0.5f, 0.25f];
        var expectedNoise = new GaussianNoise(9);
        const double sigma = 14.6146412, up = 1.60303399, down = 0.177999708;

        scheduler.Step(sample, output, 0, new GaussianNoise(9));

        for (var i = 0; i < 2; i++)
        {
            var x = i == 0 ? 1.0 : -2.0;
            var derivative = (x - (x - sigma * output[i])) / sigma;
            Assert.Equal(x + derivative * (down - sigma) + expectedNoise.NextGaussian() * up, sample[i], 4);
        }
    }

    [Fact]
    public void One_ancestral_step_lands_on_the_clean_estimate_without_drawing_noise()
    {
        var scheduler = DiffusionScheduler.Create(SdxlTurbo, 1);
        float[] sample = [3f];
        var noise = new GaussianNoise(5);

        scheduler.Step(sample, [0.2f], 0, noise);

        Assert.Equal(3 - 14.6146412 * 0.2, sample[0], 4);
        Assert.Equal(new GaussianNoise(5).NextGaussian(), noise.NextGaussian());
    }

    [Fact]
    public void Noise_is_xoshiro256_starstar_seeded_by_splitmix64()
    {
        // Reference outputs for seed 42 from a plain-Python transcription of the published algorithms.
        var noise = new GaussianNoise(42);
        Assert.Equal(0x15780b2e0c2ec716UL, noise.NextBits());
        Assert.Equal(0x6104d9866d113a7eUL, noise.NextBits());
        Assert.Equal(0xae17533239e499a1UL, noise.NextBits());
    }

    [Fact]
    public void Noise_is_standard_normal_and_repeats_with_its_seed()
    {
        var a = new float[100_000];
        var b = new float[100_000];
        new GaussianNoise(7).Fill(a);
        new GaussianNoise(7).Fill(b);
        var c = new float[10];
        new GaussianNoise(8).Fill(c);

        Assert.Equal(a, b);
        Assert.NotEqual(a[..10], c);
        var mean = a.Average();
        var variance = a.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }
}
