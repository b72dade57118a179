using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Engine;

/// <summary>The tiny chat model with <see cref="TinyVisionProjector"/> loaded beside it, once per test class.</summary>
public sealed class TinyVisionModel : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public TextModel Model { get; private set; } = null!;

    public string ModelPath { get; private set; } = "";

    public string ProjectorPath { get; private set; } = "";

    public static EngineOptions Options { get; } = new() { ContextSize = 1024, Threads = 1, BatchSize = 128, UBatchSize = 128 };

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        ModelPath = TinyModels.WriteChatModel(_dir["chat.gguf"]);
        ProjectorPath = TinyVisionProjector.Write(_dir["mmproj.gguf"]);
        Model = await TextModel.LoadAsync(ModelPath, ProjectorPath, Options, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Model.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A PNG of one colour.</summary>
    public static byte[] SolidPng(int width, int height, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        return Encode(bitmap);
    }

    /// <summary>A PNG with a horizontal red-to-blue gradient.</summary>
    public static byte[] GradientPng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (var x = 0; x < width; x++)
        {
            var t = width == 1 ? 0 : x * 255 / (width - 1);
            for (var y = 0; y < height; y++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(255 - t), (byte)(y * 255 / Math.Max(1, height - 1)), (byte)t));
            }
        }

        return Encode(bitmap);
    }

    /// <summary>A user message with one image before its text.</summary>
    public static ChatMessage UserWithImage(string text, params byte[][] images) =>
        new("user", text) { Images = [.. images.Select(data => new ChatImage(data, 0))] };

    public static ChatRequest Ask(IReadOnlyList<ChatMessage> messages, uint seed = 7, int maxTokens = 8) => new()
    {
        Messages = messages,
        Sampling = new SamplingOptions { Seed = seed, Temperature = 1f },
        MaxTokens = maxTokens,
    };

    private static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
