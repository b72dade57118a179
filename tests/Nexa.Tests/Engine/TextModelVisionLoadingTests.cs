using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Engine;

/// <summary>What happens when a projector is missing, broken or made for another model, or absent when images come.</summary>
public sealed class TextModelVisionLoadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public TextModelVisionLoadingTests() => NativeLog.EnsureConfigured();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Images_sent_to_a_model_without_a_projector_are_refused()
    {
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(_dir["chat.gguf"]), TinyTextModel.Options, CancellationToken.None);
        var image = TinyVisionModel.SolidPng(8, 8, SKColors.Red);

        var error = await Assert.ThrowsAsync<EngineException>(() =>
            Generation.RunAsync(model, TinyVisionModel.Ask([new ChatMessage("user", "hi"), TinyVisionModel.UserWithImage("see?", image)])));

        Assert.False(model.Info.HasVision);
        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("model_not_supported", error.Code);
        Assert.Equal("messages", error.Param);
        Assert.Contains("cannot see images", error.Message);
        Assert.Contains("messages[1]", error.Message);
    }

    [Fact]
    public async Task Corrupt_projector_fails_the_load_with_a_reason()
    {
        var whole = await File.ReadAllBytesAsync(TinyVisionProjector.Write(_dir["whole.gguf"]));
        var truncated = _dir["truncated-mmproj.gguf"];
        await File.WriteAllBytesAsync(truncated, whole[..(whole.Length / 2)]);
        var garbage = _dir["garbage-mmproj.gguf"];
        var bytes = new byte[50_000];
        new Random(5).NextBytes(bytes);
        await File.WriteAllBytesAsync(garbage, bytes);
        var chat = TinyModels.WriteChatModel(_dir["chat.gguf"]);

        foreach (var projector in new[] { truncated, garbage })
        {
            var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(chat, projector, TinyTextModel.Options, CancellationToken.None));

            Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
            Assert.Contains(projector, error.Message);
            Assert.DoesNotContain("logged nothing", error.Message);
        }
    }

    [Fact]
    public async Task Projector_of_another_width_fails_the_load_naming_the_mismatch()
    {
        var chat = TinyModels.WriteChatModel(_dir["chat.gguf"]);
        var projector = TinyVisionProjector.Write(_dir["wide-mmproj.gguf"], textEmbeddingLength: 96);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(chat, projector, TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("n_embd", error.Message);
    }

    [Fact]
    public async Task Missing_projector_file_fails_the_load()
    {
        var chat = TinyModels.WriteChatModel(_dir["chat.gguf"]);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(chat, _dir["absent.gguf"], TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("absent.gguf", error.Message);
    }

    [Fact]
    public async Task Projector_without_a_key_clip_requires_fails_the_load_and_the_process_lives()
    {
        var chat = TinyModels.WriteChatModel(_dir["chat.gguf"]);
        var projector = TinyVisionProjector.Write(_dir["bare-mmproj.gguf"], withNormalization: false);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(chat, projector, TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("image_mean", error.Message);
    }
}
