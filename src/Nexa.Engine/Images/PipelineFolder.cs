using System.Text.Json;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// A diffusers pipeline folder in the Optimum ONNX layout, as the Hugging Face repos publish it: model_index.json
/// names the pipeline class (its family), and each stage sits in its own folder. Reading it checks every file the
/// pipeline needs before any graph is opened, so a half-downloaded folder fails with the file it lacks.
/// </summary>
public sealed record PipelineFolder
{
    public const string Sdxl = "sdxl";
    public const string Sd = "sd";

    public required string Root { get; init; }

    /// <summary><see cref="Sdxl"/> (two text encoders) or <see cref="Sd"/> (one).</summary>
    public required string Family { get; init; }

    public required string PipelineClass { get; init; }

    public required SchedulerConfig Scheduler { get; init; }

    /// <summary>The VAE's latent scaling factor (0.18215 for SD, 0.13025 for SDXL unless the config says otherwise).</summary>
    public required double VaeScalingFactor { get; init; }

    /// <summary>SDXL: with no negative prompt, the unconditional embedding is zeros rather than the encoded empty prompt.</summary>
    public bool ForceZerosForEmptyPrompt { get; init; }

    /// <summary>Distilled for 1–4 steps without guidance (SD-Turbo, SDXL-Turbo).</summary>
    public bool IsTurbo { get; init; }

    public string TextEncoder => Path.Combine(Root, "text_encoder", "model.onnx");
    public string TextEncoder2 => Path.Combine(Root, "text_encoder_2", "model.onnx");
    public string Tokenizer => Path.Combine(Root, "tokenizer");
    public string Tokenizer2 => Path.Combine(Root, "tokenizer_2");
    public string Unet => Path.Combine(Root, "unet", "model.onnx");
    public string VaeDecoder => Path.Combine(Root, "vae_decoder", "model.onnx");

    /// <summary>Reads a pipeline folder (or its model_index.json); anything missing or malformed is a LoadFailed.</summary>
    public static PipelineFolder Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var root = Path.GetFileName(path) == "model_index.json" ? Path.GetDirectoryName(Path.GetFullPath(path))! : Path.GetFullPath(path);
        var indexPath = Path.Combine(root, "model_index.json");
        if (!File.Exists(indexPath))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"not an image generation pipeline: {indexPath} not found");
        }

        string pipelineClass;
        bool? forceZeros;
        bool hasSecondEncoder;
        string? nameOrPath;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            var index = doc.RootElement;
            pipelineClass = index.TryGetProperty("_class_name", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            forceZeros = index.TryGetProperty("force_zeros_for_empty_prompt", out var f) && f.ValueKind is JsonValueKind.True or JsonValueKind.False ? f.GetBoolean() : null;
            hasSecondEncoder = index.TryGetProperty("text_encoder_2", out var e2) && e2.ValueKind == JsonValueKind.Array && e2.GetArrayLength() == 2 && e2[0].ValueKind != JsonValueKind.Null;
            nameOrPath = index.TryGetProperty("_name_or_path", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"model_index.json is not valid JSON: {indexPath}: {e.Message}", inner: e);
        }

        if (!pipelineClass.Contains("StableDiffusion", StringComparison.Ordinal))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: pipeline class \"{pipelineClass}\" in {indexPath} (Stable Diffusion and SDXL pipelines are)");
        }

        var family = pipelineClass.Contains("XL", StringComparison.Ordinal) || hasSecondEncoder ? Sdxl : Sd;
        var scheduler = SchedulerConfig.Read(Path.Combine(root, "scheduler", "scheduler_config.json"));
        _ = DiffusionScheduler.SchedulerKind(scheduler.ClassName);
        var folder = new PipelineFolder
        {
            Root = root,
            Family = family,
            PipelineClass = pipelineClass,
            Scheduler = scheduler,
            VaeScalingFactor = ReadScalingFactor(root) ?? (family == Sdxl ? 0.13025 : 0.18215),
            ForceZerosForEmptyPrompt = forceZeros ?? family == Sdxl,
            // Turbo repos use "trailing" spacing so that one step starts at the last training timestep; classic
            // repos use "leading". The repo's name is the other hint (model_index.json keeps it in _name_or_path).
            IsTurbo = scheduler.TimestepSpacing == "trailing"
                || (nameOrPath ?? root).Contains("turbo", StringComparison.OrdinalIgnoreCase),
        };
        folder.CheckFiles();
        return folder;
    }

    private void CheckFiles()
    {
        var required = new List<string> { TextEncoder, Unet, VaeDecoder, Path.Combine(Tokenizer, "vocab.json"), Path.Combine(Tokenizer, "merges.txt") };
        if (Family == Sdxl)
        {
            required.AddRange([TextEncoder2, Path.Combine(Tokenizer2, "vocab.json"), Path.Combine(Tokenizer2, "merges.txt")]);
        }

        var missing = required.Where(f => !File.Exists(f)).Select(f => Path.GetRelativePath(Root, f)).ToList();
        if (missing.Count > 0)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {Root} lacks {string.Join(", ", missing)} (the ONNX export of the repo is needed)");
        }
    }

    private static double? ReadScalingFactor(string root)
    {
        foreach (var config in new[] { Path.Combine(root, "vae_decoder", "config.json"), Path.Combine(root, "vae", "config.json") })
        {
            if (!File.Exists(config))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(config));
                if (doc.RootElement.TryGetProperty("scaling_factor", out var s) && s.ValueKind == JsonValueKind.Number && s.GetDouble() > 0)
                {
                    return s.GetDouble();
                }
            }
            catch (JsonException e)
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"VAE config is not valid JSON: {config}: {e.Message}", inner: e);
            }
        }

        return null;
    }
}
