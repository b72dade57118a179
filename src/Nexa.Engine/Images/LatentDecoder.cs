using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Nexa.Engine.Text;
using SkiaSharp;

namespace Nexa.Engine.Images;

/// <summary>
/// The VAE decoder and PNG encoding: latents / scaling factor → RGB in [-1, 1] → bytes → PNG. SkiaSharp's PNG
/// encoder is deterministic, so identical pixels give identical files (the seed promise rests on it).
/// </summary>
public sealed class LatentDecoder : IDisposable
{
    private readonly OnnxStage _vae;
    private readonly string _input;
    private readonly string _output;

    public LatentDecoder(string path, SessionOptions options)
    {
        _vae = OnnxStage.Open(path, "vae_decoder", options);
        _input = _vae.HasInput("latent_sample") ? "latent_sample" : _vae.Inputs.Keys.First();
        _output = _vae.Outputs.ContainsKey("sample") ? "sample" : _vae.Outputs.Keys.First();
    }

    public byte[] DecodeToPng(float[] latents, long[] shape, double scalingFactor, RunOptions run)
    {
        var scaled = new float[latents.Length];
        for (var i = 0; i < scaled.Length; i++)
        {
            scaled[i] = (float)(latents[i] / scalingFactor);
        }

        FloatTensor image;
        using (var input = _vae.CreateInput(_input, scaled, shape))
        {
            image = _vae.Run(run, new Dictionary<string, OrtValue> { [_input] = input }, [_output])[_output];
        }

        if (image.Shape.Length != 4 || image.Shape[0] != 1 || image.Shape[1] < 3)
        {
            throw new EngineException(EngineErrorKind.Internal, $"image pipeline vae_decoder returned shape [{string.Join(", ", image.Shape)}], not [1, 3, height, width]");
        }

        return EncodePng(image.Data, (int)image.Shape[3], (int)image.Shape[2]);
    }

    /// <summary>Planar RGB in [-1, 1] (NCHW) to a PNG, as diffusers' postprocess: (x / 2 + 0.5) clamped, × 255, rounded.</summary>
    public static byte[] EncodePng(float[] planar, int width, int height)
    {
        var plane = width * height;
        var pixels = new byte[plane * 4];
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var x = planar[c * plane + i];
                var value = float.IsNaN(x) ? 0f : Math.Clamp(x / 2f + 0.5f, 0f, 1f);
                pixels[i * 4 + c] = (byte)MathF.Round(value * 255f, MidpointRounding.ToEven);
            }

            pixels[i * 4 + 3] = 255;
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new EngineException(EngineErrorKind.Internal, "PNG encoding failed");
        return data.ToArray();
    }

    public void Dispose() => _vae.Dispose();
}
