using Microsoft.ML.OnnxRuntime;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// The UNet: predicts the noise in a latent at a timestep, conditioned on the prompt (and, for SDXL, the pooled
/// prompt and the size micro-conditioning <c>time_ids</c>). With guidance it also predicts for the negative prompt
/// and extrapolates away from it (classifier-free guidance): in one batch of two when the graph's batch axis is
/// free, else in two runs.
/// </summary>
public sealed class Denoiser : IDisposable
{
    private const string SampleInput = "sample";
    private const string TimestepInput = "timestep";
    private const string HiddenInput = "encoder_hidden_states";
    private const string TextEmbedsInput = "text_embeds";
    private const string TimeIdsInput = "time_ids";

    private readonly OnnxStage _unet;
    private readonly string _output;
    private readonly bool _batchable;

    public Denoiser(string path, SessionOptions options, bool sdxl)
    {
        _unet = OnnxStage.Open(path, "unet", options);
        try
        {
            var required = sdxl ? new[] { SampleInput, TimestepInput, HiddenInput, TextEmbedsInput, TimeIdsInput } : [SampleInput, TimestepInput, HiddenInput];
            var missing = required.Where(n => !_unet.HasInput(n)).ToList();
            if (missing.Count > 0)
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline unet lacks input(s) {string.Join(", ", missing)}; it has {string.Join(", ", _unet.Inputs.Keys)}");
            }

            var sample = _unet.InputDimensions(SampleInput);
            if (sample.Length != 4)
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline unet sample has {sample.Length} axes, not 4 (batch, channels, height, width)");
            }

            LatentChannels = sample[1] > 0 ? sample[1] : 4;
            _batchable = sample[0] <= 0 || sample[0] >= 2;
            // A static export fixes the picture size: 8 pixels per latent cell.
            StaticLatentSize = sample[2] > 0 && sample[3] > 0 ? (sample[3], sample[2]) : null;
            _output = _unet.Outputs.ContainsKey("out_sample") ? "out_sample" : _unet.Outputs.Keys.First();
        }
        catch
        {
            _unet.Dispose();
            throw;
        }
    }

    public int LatentChannels { get; }

    /// <summary>(width, height) in latent cells when the graph fixes them; null when any size is accepted.</summary>
    public (int Width, int Height)? StaticLatentSize { get; }

    /// <summary>
    /// The guided noise prediction for <paramref name="latents"/> (already scaled for the scheduler's step).
    /// <paramref name="negative"/> null: no guidance, one pass.
    /// </summary>
    public float[] Predict(float[] latents, long[] shape, double timestep, PromptEmbedding positive, PromptEmbedding? negative, double guidance, int width, int height, RunOptions run)
    {
        if (negative is null)
        {
            return RunBatch(latents, shape, timestep, [positive], width, height, run);
        }

        float[] unconditional, conditional;
        if (_batchable)
        {
            var both = RunBatch([.. latents, .. latents], [2, .. shape[1..]], timestep, [negative, positive], width, height, run);
            unconditional = both[..latents.Length];
            conditional = both[latents.Length..];
        }
        else
        {
            unconditional = RunBatch(latents, shape, timestep, [negative], width, height, run);
            conditional = RunBatch(latents, shape, timestep, [positive], width, height, run);
        }

        var guided = new float[latents.Length];
        for (var i = 0; i < guided.Length; i++)
        {
            guided[i] = (float)(unconditional[i] + guidance * (conditional[i] - unconditional[i]));
        }

        return guided;
    }

    public void Dispose() => _unet.Dispose();

    private float[] RunBatch(float[] latents, long[] shape, double timestep, PromptEmbedding[] prompts, int width, int height, RunOptions run)
    {
        var batch = prompts.Length;
        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            inputs[SampleInput] = _unet.CreateInput(SampleInput, latents, shape);
            var timestepDims = _unet.InputDimensions(TimestepInput);
            // A scalar, or one value per batch row ([1] when the export fixed that axis).
            long[] timestepShape = timestepDims.Length == 0 ? [] : [timestepDims[0] > 0 ? timestepDims[0] : batch];
            var timesteps = new float[Math.Max(1, timestepShape.Length == 0 ? 1 : (int)timestepShape[0])];
            Array.Fill(timesteps, (float)timestep);
            inputs[TimestepInput] = _unet.CreateInput(TimestepInput, timesteps, timestepShape);
            var hidden = Stack(prompts.Select(p => p.Hidden).ToList());
            inputs[HiddenInput] = _unet.CreateInput(HiddenInput, hidden.Data, hidden.Shape);
            if (_unet.HasInput(TextEmbedsInput))
            {
                var pooled = Stack(prompts.Select(p => p.Pooled ?? throw new EngineException(EngineErrorKind.Internal, "SDXL unet needs a pooled prompt")).ToList());
                inputs[TextEmbedsInput] = _unet.CreateInput(TextEmbedsInput, pooled.Data, pooled.Shape);
                // SDXL micro-conditioning: original size, crop top-left, target size (diffusers' _get_add_time_ids).
                var timeIds = new float[batch * 6];
                for (var b = 0; b < batch; b++)
                {
                    float[] row = [height, width, 0, 0, height, width];
                    row.CopyTo(timeIds, b * 6);
                }

                inputs[TimeIdsInput] = _unet.CreateInput(TimeIdsInput, timeIds, [batch, 6]);
            }

            var output = _unet.Run(run, inputs, [_output])[_output];
            if (output.Data.Length != latents.Length)
            {
                throw new EngineException(EngineErrorKind.Internal, $"image pipeline unet returned {output.Data.Length} values for a latent of {latents.Length}");
            }

            return output.Data;
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private static FloatTensor Stack(List<FloatTensor> rows)
    {
        if (rows.Count == 1)
        {
            return rows[0];
        }

        var data = rows.SelectMany(r => r.Data).ToArray();
        return new FloatTensor(data, [rows.Count, .. rows[0].Shape[1..]]);
    }
}
