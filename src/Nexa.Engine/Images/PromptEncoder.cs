using Microsoft.ML.OnnxRuntime;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>A prompt as the UNet takes it: hidden states [1, 77, D] and, for SDXL, the pooled embedding [1, P].</summary>
public sealed record PromptEmbedding(FloatTensor Hidden, FloatTensor? Pooled)
{
    /// <summary>The same shapes, all zeros (SDXL's unconditional embedding when no negative prompt is given).</summary>
    public PromptEmbedding Zeros() =>
        new(Hidden with { Data = new float[Hidden.Data.Length] }, Pooled is null ? null : Pooled with { Data = new float[Pooled.Data.Length] });
}

/// <summary>
/// Tokenizes and encodes prompts with the pipeline's CLIP text encoder(s). SD takes the last hidden state of its
/// one encoder. SDXL, as diffusers' StableDiffusionXLPipeline, takes the penultimate hidden state of each encoder,
/// concatenated on the feature axis, and the projected pooled output (<c>text_embeds</c>) of the second.
/// </summary>
public sealed class PromptEncoder : IDisposable
{
    private readonly List<(ClipTokenizer Tokenizer, OnnxStage Encoder, string HiddenOutput, string? PooledOutput)> _encoders = [];

    public PromptEncoder(PipelineFolder folder, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        try
        {
            var sdxl = folder.Family == PipelineFolder.Sdxl;
            Add(ClipTokenizer.Load(folder.Tokenizer), OnnxStage.Open(folder.TextEncoder, "text_encoder", options), penultimate: sdxl, pooled: false);
            if (sdxl)
            {
                Add(ClipTokenizer.Load(folder.Tokenizer2), OnnxStage.Open(folder.TextEncoder2, "text_encoder_2", options), penultimate: true, pooled: true);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public PromptEmbedding Encode(string prompt, RunOptions run)
    {
        var hidden = new List<FloatTensor>();
        FloatTensor? pooled = null;
        foreach (var (tokenizer, encoder, hiddenOutput, pooledOutput) in _encoders)
        {
            var ids = tokenizer.Encode(prompt);
            var inputName = encoder.Inputs.Keys.First();
            using var input = encoder.CreateInput(inputName, ids, [1, ids.Length]);
            var outputs = pooledOutput is null ? new[] { hiddenOutput } : [hiddenOutput, pooledOutput];
            var result = encoder.Run(run, new Dictionary<string, OrtValue> { [inputName] = input }, outputs);
            hidden.Add(result[hiddenOutput]);
            if (pooledOutput is not null)
            {
                pooled = result[pooledOutput];
            }
        }

        return new PromptEmbedding(ConcatLastAxis(hidden), pooled);
    }

    public void Dispose()
    {
        foreach (var (_, encoder, _, _) in _encoders)
        {
            encoder.Dispose();
        }

        _encoders.Clear();
    }

    private void Add(ClipTokenizer tokenizer, OnnxStage encoder, bool penultimate, bool pooled)
    {
        // Registered first so that Dispose releases the session if a check below fails.
        _encoders.Add((tokenizer, encoder, "", null));
        var outputs = encoder.Outputs.Keys.ToList();
        string hidden;
        if (penultimate)
        {
            // hidden_states.0 is the embedding layer's output and hidden_states.N the last layer's: N - 1 is the penultimate.
            var layers = outputs.Where(o => o.StartsWith("hidden_states.", StringComparison.Ordinal))
                .Select(o => int.TryParse(o["hidden_states.".Length..], out var n) ? n : -1).Where(n => n >= 0).ToList();
            if (layers.Count < 2)
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {encoder.Name} exports no hidden_states.N outputs (SDXL needs the penultimate layer); it has {string.Join(", ", outputs)}");
            }

            hidden = $"hidden_states.{layers.Max() - 1}";
        }
        else
        {
            hidden = outputs.Contains("last_hidden_state") ? "last_hidden_state" : outputs[0];
        }

        string? pooledName = null;
        if (pooled)
        {
            pooledName = outputs.Contains("text_embeds") ? "text_embeds"
                : outputs.Contains("pooler_output") ? "pooler_output"
                : throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {encoder.Name} has no text_embeds output (SDXL's pooled prompt); it has {string.Join(", ", outputs)}");
        }

        if (encoder.Inputs.Count != 1)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: {encoder.Name} with inputs {string.Join(", ", encoder.Inputs.Keys)} (input_ids only is)");
        }

        _encoders[^1] = (tokenizer, encoder, hidden, pooledName);
    }

    private static FloatTensor ConcatLastAxis(List<FloatTensor> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var rows = parts[0].Data.Length / (int)parts[0].Shape[^1];
        if (parts.Any(p => p.Shape.Length != parts[0].Shape.Length || p.Data.Length / (int)p.Shape[^1] != rows))
        {
            throw new EngineException(EngineErrorKind.Internal, "image pipeline text encoders disagree on the hidden state shape");
        }

        var width = parts.Sum(p => (int)p.Shape[^1]);
        var data = new float[rows * width];
        for (var r = 0; r < rows; r++)
        {
            var offset = r * width;
            foreach (var part in parts)
            {
                var w = (int)part.Shape[^1];
                Array.Copy(part.Data, r * w, data, offset, w);
                offset += w;
            }
        }

        var shape = (long[])parts[0].Shape.Clone();
        shape[^1] = width;
        return new FloatTensor(data, shape);
    }
}
