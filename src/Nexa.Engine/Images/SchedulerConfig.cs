using System.Text.Json;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// The settings of a diffusers scheduler (<c>scheduler/scheduler_config.json</c>) that decide its noise levels and
/// its update rule. Unknown keys are ignored; absent ones take diffusers' defaults.
/// </summary>
public sealed record SchedulerConfig
{
    public string ClassName { get; init; } = "EulerDiscreteScheduler";
    public int TrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>"linear" or "scaled_linear" (the square of a linear ramp of square roots, as Stable Diffusion has it).</summary>
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>"leading", "trailing" or "linspace": which training timesteps a short schedule samples.</summary>
    public string TimestepSpacing { get; init; } = "leading";

    public int StepsOffset { get; init; }

    /// <summary>"epsilon" (the UNet predicts the noise) or "v_prediction" (SD 2.x 768).</summary>
    public string PredictionType { get; init; } = "epsilon";

    /// <summary>DDIM: the final step goes to alpha 1 (a clean image) rather than to the first training alpha.</summary>
    public bool SetAlphaToOne { get; init; } = true;

    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>Reads a scheduler_config.json; a missing or malformed file is a <see cref="EngineErrorKind.LoadFailed"/>.</summary>
    public static SchedulerConfig Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline has no scheduler config: {path} not found");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var defaults = new SchedulerConfig();
            var config = new SchedulerConfig
            {
                ClassName = Str(root, "_class_name") ?? defaults.ClassName,
                TrainTimesteps = (int)(Num(root, "num_train_timesteps") ?? defaults.TrainTimesteps),
                BetaStart = Num(root, "beta_start") ?? defaults.BetaStart,
                BetaEnd = Num(root, "beta_end") ?? defaults.BetaEnd,
                BetaSchedule = Str(root, "beta_schedule") ?? defaults.BetaSchedule,
                TimestepSpacing = Str(root, "timestep_spacing") ?? defaults.TimestepSpacing,
                StepsOffset = (int)(Num(root, "steps_offset") ?? 0),
                PredictionType = Str(root, "prediction_type") ?? defaults.PredictionType,
                SetAlphaToOne = Bool(root, "set_alpha_to_one") ?? defaults.SetAlphaToOne,
                ClipSample = Bool(root, "clip_sample") ?? defaults.ClipSample,
                ClipSampleRange = Num(root, "clip_sample_range") ?? defaults.ClipSampleRange,
            };
            config.Validate(path);
            return config;
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline scheduler config is not valid JSON: {path}: {e.Message}", inner: e);
        }
    }

    private void Validate(string path)
    {
        string? problem = null;
        if (TrainTimesteps < 2)
        {
            problem = $"num_train_timesteps {TrainTimesteps}";
        }
        else if (BetaSchedule is not ("linear" or "scaled_linear"))
        {
            problem = $"beta_schedule \"{BetaSchedule}\" (linear and scaled_linear are)";
        }
        else if (TimestepSpacing is not ("leading" or "trailing" or "linspace"))
        {
            problem = $"timestep_spacing \"{TimestepSpacing}\"";
        }
        else if (PredictionType is not ("epsilon" or "v_prediction"))
        {
            problem = $"prediction_type \"{PredictionType}\" (epsilon and v_prediction are)";
        }
        else if (!(BetaStart > 0 && BetaEnd > BetaStart && BetaEnd < 1))
        {
            problem = $"betas {BetaStart}..{BetaEnd}";
        }

        if (problem is not null)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: scheduler {problem} in {path}");
        }
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static bool? Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
