using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// A tiny LLaVA-style vision projector (mmproj GGUF, projector type "mlp") for <see cref="TinyModels"/>' chat model,
/// with random weights that llama.cpp's mtmd/clip loader accepts: a 2-block CLIP ViT over 32×32 images in 8×8
/// patches (16 image tokens), then mm.0 → GELU → mm.2 into the text model's embedding width.
/// </summary>
/// <remarks>
/// Keys and tensors follow llama.cpp's tools/mtmd/clip.cpp (load_hparams, load_tensors) and clip-impl.h at the
/// commit LLamaSharp 0.30 ships. image_mean and image_std must be present: clip asserts on them (an abort, not an
/// error). The feed-forward width must differ from the embedding width, or clip swaps ffn_up and ffn_down.
/// llava uses the second-to-last block's output, so 2 blocks run 1.
/// </remarks>
public static class TinyVisionProjector
{
    public const int ImageSize = 32;
    public const int PatchSize = 8;
    public const int Width = 32;
    public const int FeedForward = 48;
    public const int Heads = 2;
    public const int Blocks = 2;
    public const int ProjectorHidden = 64;

    /// <summary>Image tokens (and positions) one image becomes: one per patch.</summary>
    public const int TokensPerImage = ImageSize / PatchSize * (ImageSize / PatchSize);

    /// <summary>Writes the projector and returns <paramref name="path"/>.</summary>
    /// <param name="textEmbeddingLength">The text model's width; another value makes an incompatible projector.</param>
    /// <param name="withNormalization">False leaves out image_mean and image_std (which clip's loader requires).</param>
    public static string Write(string path, int seed = 11, int textEmbeddingLength = TinyModels.DefaultEmbeddingLength, bool withNormalization = true)
    {
        var patches = TokensPerImage;
        var positions = patches + 1; // the class token
        var random = new Random(seed);
        var gguf = new GgufWriter()
            .AddString("general.architecture", "clip")
            .AddString("general.name", $"nexa-tiny-mmproj-{seed}")
            .AddUInt32("general.file_type", 0)
            .AddBool("clip.has_vision_encoder", true)
            .AddBool("clip.has_text_encoder", false)
            .AddBool("clip.has_llava_projector", true)
            .AddString("clip.projector_type", "mlp")
            .AddBool("clip.use_gelu", true)
            .AddUInt32("clip.vision.image_size", ImageSize)
            .AddUInt32("clip.vision.patch_size", PatchSize)
            .AddUInt32("clip.vision.embedding_length", Width)
            .AddUInt32("clip.vision.feed_forward_length", FeedForward)
            .AddUInt32("clip.vision.projection_dim", (uint)textEmbeddingLength)
            .AddUInt32("clip.vision.block_count", Blocks)
            .AddUInt32("clip.vision.attention.head_count", Heads)
            .AddFloat32("clip.vision.attention.layer_norm_epsilon", 1e-5f);
        if (withNormalization)
        {
            gguf.AddFloat32Array("clip.vision.image_mean", [0.5f, 0.5f, 0.5f])
                .AddFloat32Array("clip.vision.image_std", [0.5f, 0.5f, 0.5f]);
        }

        gguf.AddTensor("v.patch_embd.weight", [PatchSize, PatchSize, 3, Width], GgmlType.F32, Matrix(random, PatchSize * PatchSize * 3, Width))
            .AddTensor("v.class_embd", [Width], GgmlType.F32, Weights(random, Width, 0.5f))
            .AddTensor("v.position_embd.weight", [Width, positions], GgmlType.F32, Weights(random, Width * positions, 0.5f))
            .AddTensor("v.pre_ln.weight", [Width], GgmlType.F32, Ones(Width))
            .AddTensor("v.pre_ln.bias", [Width], GgmlType.F32, new float[Width]);
        for (var layer = 0; layer < Blocks; layer++)
        {
            var block = $"v.blk.{layer}";
            foreach (var part in new[] { "attn_q", "attn_k", "attn_v", "attn_out" })
            {
                gguf.AddTensor($"{block}.{part}.weight", [Width, Width], GgmlType.F32, Matrix(random, Width, Width))
                    .AddTensor($"{block}.{part}.bias", [Width], GgmlType.F32, Weights(random, Width, 0.1f));
            }

            gguf.AddTensor($"{block}.ln1.weight", [Width], GgmlType.F32, Ones(Width))
                .AddTensor($"{block}.ln1.bias", [Width], GgmlType.F32, new float[Width])
                .AddTensor($"{block}.ln2.weight", [Width], GgmlType.F32, Ones(Width))
                .AddTensor($"{block}.ln2.bias", [Width], GgmlType.F32, new float[Width])
                .AddTensor($"{block}.ffn_up.weight", [Width, FeedForward], GgmlType.F32, Matrix(random, Width, FeedForward))
                .AddTensor($"{block}.ffn_up.bias", [FeedForward], GgmlType.F32, Weights(random, FeedForward, 0.1f))
                .AddTensor($"{block}.ffn_down.weight", [FeedForward, Width], GgmlType.F32, Matrix(random, FeedForward, Width))
                .AddTensor($"{block}.ffn_down.bias", [Width], GgmlType.F32, Weights(random, Width, 0.1f));
        }

        gguf.AddTensor("mm.0.weight", [Width, ProjectorHidden], GgmlType.F32, Matrix(random, Width, ProjectorHidden))
            .AddTensor("mm.0.bias", [ProjectorHidden], GgmlType.F32, Weights(random, ProjectorHidden, 0.1f))
            .AddTensor("mm.2.weight", [ProjectorHidden, textEmbeddingLength], GgmlType.F32, Matrix(random, ProjectorHidden, textEmbeddingLength))
            .AddTensor("mm.2.bias", [textEmbeddingLength], GgmlType.F32, Weights(random, textEmbeddingLength, 0.1f));
        return gguf.WriteTo(path);
    }

    private static float[] Ones(int length) => Enumerable.Repeat(1f, length).ToArray();

    private static float[] Matrix(Random random, int fanIn, int rows) => Weights(random, fanIn * rows, 2f / MathF.Sqrt(fanIn));

    private static float[] Weights(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((float)random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }
}
