using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

/// <summary>The tiny ChatML chat model from <see cref="TinyModels"/>, written to a temp dir and loaded once per test class.</summary>
public sealed class TinyTextModel : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public TextModel Model { get; private set; } = null!;

    public string Path { get; private set; } = "";

    public static EngineOptions Options { get; } = new() { ContextSize = 512, Threads = 1, BatchSize = 128, UBatchSize = 128 };

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        Path = TinyModels.WriteChatModel(_dir["chat.gguf"]);
        Model = await TextModel.LoadAsync(Path, Options, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Model.DisposeAsync();
        _dir.Dispose();
    }

    public static ChatRequest Ask(string text, uint? seed = 7, int? maxTokens = 16, float temperature = 1f, IReadOnlyList<string>? stop = null) => new()
    {
        Messages = [new ChatMessage("user", text)],
        Sampling = new SamplingOptions { Seed = seed, Temperature = temperature },
        MaxTokens = maxTokens,
        Stop = stop ?? [],
    };
}

/// <summary>What one generation streamed back.</summary>
public sealed record Generation(IReadOnlyList<TextDelta> Deltas, GenerationFinished Finished, int EventCount, int FinishCount)
{
    public string Text => string.Concat(Deltas.Where(d => !d.IsReasoning).Select(d => d.Text));

    public static async Task<Generation> RunAsync(ILoadedModel model, ChatRequest request, CancellationToken ct = default)
    {
        var deltas = new List<TextDelta>();
        var finishes = new List<GenerationFinished>();
        var count = 0;
        await foreach (var e in model.GenerateAsync(request, ct))
        {
            count++;
            switch (e)
            {
                case TextDelta d:
                    Assert.Empty(finishes);
                    deltas.Add(d);
                    break;
                case GenerationFinished f:
                    finishes.Add(f);
                    break;
            }
        }

        Assert.Single(finishes);
        return new Generation(deltas, finishes[0], count, finishes.Count);
    }
}
