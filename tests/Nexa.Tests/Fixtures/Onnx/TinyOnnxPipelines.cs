using System.Text.Json;

namespace Nexa.Tests.Fixtures.Onnx;

/// <summary>
/// Tiny Stable Diffusion pipelines in the Optimum ONNX layout of the Hugging Face repos (model_index.json,
/// scheduler/, text_encoder[_2]/, tokenizer[_2]/, unet/ with model.onnx_data, vae_decoder/), with random weights.
/// Every stage has the real graph's input and output names, element types and axis meanings, and its outputs
/// depend on all its inputs (the prompt and the seed change the picture); the tensors are just small. Each Write
/// returns the files it wrote, relative to the folder, so a fake hub can serve them as a repo.
/// </summary>
public static class TinyOnnxPipelines
{
    /// <summary>Like stabilityai/sdxl-turbo: two text encoders (16 + 24 wide, pooled 20), Euler Ancestral, trailing spacing.</summary>
    public static IReadOnlyList<string> WriteSdxlTurbo(string dir, bool float16 = false) => Write(dir, new Layout
    {
        PipelineClass = "StableDiffusionXLPipeline",
        Scheduler = TurboScheduler("EulerAncestralDiscreteScheduler"),
        Encoders = [(16, null, "<|endoftext|>"), (24, 20, "!")],
        UnetExternalData = true,
        TimestepType = OnnxType.Float,
        Float16 = float16,
        ScalingFactor = 0.13025,
    });

    /// <summary>Like stabilityai/sd-turbo: one text encoder (32 wide), Euler, trailing spacing, int64 timestep, inline UNet weights.</summary>
    public static IReadOnlyList<string> WriteSdTurbo(string dir, bool float16 = false) => Write(dir, new Layout
    {
        PipelineClass = "StableDiffusionPipeline",
        Scheduler = TurboScheduler("EulerDiscreteScheduler"),
        Encoders = [(32, null, "!")],
        UnetExternalData = false,
        TimestepType = OnnxType.Int64,
        Float16 = float16,
        ScalingFactor = 0.18215,
    });

    /// <summary>Like runwayml/stable-diffusion-v1-5: one text encoder, the given scheduler with SD 1.5's leading spacing.</summary>
    public static IReadOnlyList<string> WriteSdClassic(string dir, string schedulerClass = "DDIMScheduler") => Write(dir, new Layout
    {
        PipelineClass = "StableDiffusionPipeline",
        Scheduler = new Dictionary<string, object?>
        {
            ["_class_name"] = schedulerClass,
            ["_diffusers_version"] = "0.6.0",
            ["beta_end"] = 0.012,
            ["beta_schedule"] = "scaled_linear",
            ["beta_start"] = 0.00085,
            ["clip_sample"] = false,
            ["num_train_timesteps"] = 1000,
            ["set_alpha_to_one"] = false,
            ["skip_prk_steps"] = true,
            ["steps_offset"] = 1,
            ["trained_betas"] = null,
        },
        Encoders = [(32, null, "<|endoftext|>")],
        UnetExternalData = false,
        TimestepType = OnnxType.Int64,
        Float16 = false,
        ScalingFactor = 0.18215,
    });

    private static Dictionary<string, object?> TurboScheduler(string className) => new()
    {
        ["_class_name"] = className,
        ["_diffusers_version"] = "0.24.0.dev0",
        ["beta_end"] = 0.012,
        ["beta_schedule"] = "scaled_linear",
        ["beta_start"] = 0.00085,
        ["clip_sample"] = false,
        ["interpolation_type"] = "linear",
        ["num_train_timesteps"] = 1000,
        ["prediction_type"] = "epsilon",
        ["sample_max_value"] = 1.0,
        ["set_alpha_to_one"] = false,
        ["skip_prk_steps"] = true,
        ["steps_offset"] = 1,
        ["timestep_spacing"] = "trailing",
        ["trained_betas"] = null,
    };

    private sealed record Layout
    {
        public required string PipelineClass { get; init; }
        public required Dictionary<string, object?> Scheduler { get; init; }

        /// <summary>Per text encoder: hidden width, projection width (text_embeds) or null, pad token.</summary>
        public required (int Hidden, int? Projection, string Pad)[] Encoders { get; init; }

        public required bool UnetExternalData { get; init; }
        public required OnnxType TimestepType { get; init; }
        public required bool Float16 { get; init; }
        public required double ScalingFactor { get; init; }
    }

    private static IReadOnlyList<string> Write(string dir, Layout layout)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        var random = new FixtureRandom(0x5eed);
        var sdxl = layout.Encoders.Length == 2;
        var index = new Dictionary<string, object?>
        {
            ["_class_name"] = layout.PipelineClass,
            ["_diffusers_version"] = "0.24.0.dev0",
            ["scheduler"] = new[] { "diffusers", (string)layout.Scheduler["_class_name"]! },
            ["text_encoder"] = new[] { "transformers", "CLIPTextModel" },
            ["tokenizer"] = new[] { "transformers", "CLIPTokenizer" },
            ["unet"] = new[] { "diffusers", "UNet2DConditionModel" },
            ["vae"] = new[] { "diffusers", "AutoencoderKL" },
        };
        if (sdxl)
        {
            index["force_zeros_for_empty_prompt"] = true;
            index["text_encoder_2"] = new[] { "transformers", "CLIPTextModelWithProjection" };
            index["tokenizer_2"] = new[] { "transformers", "CLIPTokenizer" };
        }
        else
        {
            index["requires_safety_checker"] = false;
            index["safety_checker"] = new string?[] { null, null };
            index["feature_extractor"] = new string?[] { null, null };
        }

        files.Add(WriteJson(dir, "model_index.json", index));
        files.Add(WriteJson(dir, "scheduler/scheduler_config.json", layout.Scheduler));
        var dataType = layout.Float16 ? OnnxType.Float16 : OnnxType.Float;
        for (var e = 0; e < layout.Encoders.Length; e++)
        {
            var (hidden, projection, pad) = layout.Encoders[e];
            var suffix = e == 0 ? "" : $"_{e + 1}";
            files.AddRange(TinyClipVocabulary.Write(Path.Combine(dir, "tokenizer" + suffix), pad));
            Directory.CreateDirectory(Path.Combine(dir, "text_encoder" + suffix));
            files.Add(WriteJson(dir, $"text_encoder{suffix}/config.json", new Dictionary<string, object> { ["hidden_size"] = hidden, ["num_hidden_layers"] = 2, ["vocab_size"] = TinyClipVocabulary.Size }));
            TextEncoder(hidden, projection, random).Save(Path.Combine(dir, $"text_encoder{suffix}", "model.onnx"));
            files.Add(Path.Combine(dir, $"text_encoder{suffix}", "model.onnx"));
        }

        var context = layout.Encoders.Sum(x => x.Hidden);
        var pooled = layout.Encoders[^1].Projection;
        Directory.CreateDirectory(Path.Combine(dir, "unet"));
        files.Add(WriteJson(dir, "unet/config.json", new Dictionary<string, object> { ["in_channels"] = 4, ["out_channels"] = 4, ["cross_attention_dim"] = context, ["sample_size"] = 64 }));
        Unet(context, sdxl ? pooled : null, layout.TimestepType, dataType, random).Save(Path.Combine(dir, "unet", "model.onnx"), layout.UnetExternalData ? "model.onnx_data" : null);
        files.Add(Path.Combine(dir, "unet", "model.onnx"));
        if (layout.UnetExternalData)
        {
            files.Add(Path.Combine(dir, "unet", "model.onnx_data"));
        }

        Directory.CreateDirectory(Path.Combine(dir, "vae_decoder"));
        files.Add(WriteJson(dir, "vae_decoder/config.json", new Dictionary<string, object> { ["latent_channels"] = 4, ["out_channels"] = 3, ["scaling_factor"] = layout.ScalingFactor }));
        VaeDecoder(dataType, random).Save(Path.Combine(dir, "vae_decoder", "model.onnx"));
        files.Add(Path.Combine(dir, "vae_decoder", "model.onnx"));
        return files.Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).ToList();
    }

    /// <summary>
    /// CLIP text encoder: input_ids int32 [batch, sequence] → token + position embedding, two layers (each mixes in
    /// the sequence mean, as attention would), last_hidden_state, hidden_states.0..2 and pooler_output or text_embeds.
    /// </summary>
    private static OnnxGraph TextEncoder(int hidden, int? projection, FixtureRandom random)
    {
        var g = new OnnxGraph("text_encoder");
        var ids = g.Input("input_ids", OnnxType.Int32, "batch_size", "sequence_length");
        var x = g.Op("Add", g.Op("Gather", g.Weight(random.Floats(TinyClipVocabulary.Size * hidden, 1f), TinyClipVocabulary.Size, hidden), ids), g.Weight(random.Floats(77 * hidden, 0.1f), 77, hidden));
        var states = new List<string> { x };
        for (var layer = 0; layer < 2; layer++)
        {
            var linear = g.Op("Add", g.Op("MatMul", x, g.Weight(random.Floats(hidden * hidden, 0.4f), hidden, hidden)), g.Weight(random.Floats(hidden, 0.1f), hidden));
            var context = g.Node("ReduceMean", [x], null, ("axes", new long[] { 1 }), ("keepdims", 1L));
            x = g.Op("Tanh", g.Op("Add", linear, context));
            states.Add(x);
        }

        var pooled = g.Node("ReduceMean", [x], null, ("axes", new long[] { 1 }), ("keepdims", 0L));
        if (projection is { } p)
        {
            g.Output(g.Op("MatMul", pooled, g.Weight(random.Floats(hidden * p, 0.3f), hidden, p)), "text_embeds", OnnxType.Float, "batch_size", p);
        }

        g.Output(x, "last_hidden_state", OnnxType.Float, "batch_size", "sequence_length", hidden);
        if (projection is null)
        {
            g.Output(pooled, "pooler_output", OnnxType.Float, "batch_size", hidden);
        }

        for (var i = 0; i < states.Count; i++)
        {
            g.Output(states[i], $"hidden_states.{i}", OnnxType.Float, "batch_size", "sequence_length", hidden);
        }

        return g;
    }

    /// <summary>
    /// UNet: sample [batch, 4, height, width], timestep [steps], encoder_hidden_states [batch, sequence, D] (and
    /// SDXL's text_embeds [batch, P], time_ids [batch, 6]) → out_sample: a 3×3 convolution of the sample plus a
    /// per-channel bias from the prompt and the timestep, through tanh (a bounded noise estimate).
    /// </summary>
    private static OnnxGraph Unet(int context, int? pooled, OnnxType timestepType, OnnxType dataType, FixtureRandom random)
    {
        var g = new OnnxGraph("unet");
        var sample = AsFloat(g, g.Input("sample", dataType, "batch", 4, "height", "width"), dataType);
        var timestep = AsFloat(g, g.Input("timestep", timestepType == OnnxType.Float ? dataType : timestepType, "steps"), timestepType == OnnxType.Float ? dataType : timestepType);
        var hidden = AsFloat(g, g.Input("encoder_hidden_states", dataType, "batch", "sequence", context), dataType);
        var bias = g.Op("MatMul", g.Node("ReduceMean", [hidden], null, ("axes", new long[] { 1 }), ("keepdims", 0L)), g.Weight(random.Floats(context * 4, 1f), context, 4));
        if (pooled is { } p)
        {
            var textEmbeds = AsFloat(g, g.Input("text_embeds", dataType, "batch", p), dataType);
            var timeIds = AsFloat(g, g.Input("time_ids", dataType, "batch", 6), dataType);
            bias = g.Op("Add", bias, g.Op("MatMul", textEmbeds, g.Weight(random.Floats(p * 4, 1f), p, 4)));
            bias = g.Op("Add", bias, g.Op("MatMul", timeIds, g.Weight(random.Floats(6 * 4, 0.002f), 6, 4)));
        }

        var channelBias = g.Op("Reshape", bias, g.Int64s([-1, 4, 1, 1], 4));
        var time = g.Op("Mul", g.Op("Reshape", timestep, g.Int64s([-1, 1, 1, 1], 4)), g.Weight([0.002f]));
        var conv = g.Node("Conv", [sample, g.Weight(random.Floats(4 * 4 * 3 * 3, 0.3f), 4, 4, 3, 3), g.Weight(random.Floats(4, 0.1f), 4)], null, ("pads", new long[] { 1, 1, 1, 1 }));
        var output = g.Op("Tanh", g.Op("Add", g.Op("Add", conv, channelBias), time));
        g.Output(FromFloat(g, output, dataType), "out_sample", dataType, "batch", 4, "height", "width");
        return g;
    }

    /// <summary>VAE decoder: latent_sample [batch, 4, h, w] → 1×1 convolution to 3·8·8 channels → DepthToSpace(8) → tanh → sample [batch, 3, 8h, 8w].</summary>
    private static OnnxGraph VaeDecoder(OnnxType dataType, FixtureRandom random)
    {
        var g = new OnnxGraph("vae_decoder");
        var latent = AsFloat(g, g.Input("latent_sample", dataType, "batch", 4, "latent_height", "latent_width"), dataType);
        var conv = g.Op("Conv", latent, g.Weight(random.Floats(192 * 4, 0.5f), 192, 4, 1, 1), g.Weight(random.Floats(192, 0.2f), 192));
        var image = g.Op("Tanh", g.Node("DepthToSpace", [conv], null, ("blocksize", 8L)));
        g.Output(FromFloat(g, image, dataType), "sample", dataType, "batch", 3, "height", "width");
        return g;
    }

    private static string AsFloat(OnnxGraph g, string value, OnnxType type) =>
        type == OnnxType.Float ? value : g.Node("Cast", [value], null, ("to", (long)OnnxType.Float));

    private static string FromFloat(OnnxGraph g, string value, OnnxType type) =>
        type == OnnxType.Float ? value : g.Node("Cast", [value], null, ("to", (long)type));

    private static string WriteJson(string dir, string relative, object value)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, JsonOptions));
        return path;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Fixed weights on every run and machine (a 64-bit LCG, not <see cref="Random"/>, whose algorithm may change).</summary>
    private sealed class FixtureRandom(ulong state)
    {
        public float[] Floats(int count, float scale)
        {
            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                state = state * 6364136223846793005UL + 1442695040888963407UL;
                values[i] = ((state >> 40) / (float)(1 << 24) * 2 - 1) * scale;
            }

            return values;
        }
    }
}
