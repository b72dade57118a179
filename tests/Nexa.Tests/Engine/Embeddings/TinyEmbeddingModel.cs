using Nexa.Engine.Embeddings;
using Nexa.Engine.Text;
using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Embeddings;

/// <summary>
/// The tiny llama chat model (<see cref="TinyModels"/>) loaded as an embedder, once per test class: a decoder can
/// embed, with last-token pooling (what its GGUF implies, having no pooling key) or mean pooling (a copy that says so).
/// </summary>
public abstract class TinyEmbeddingModel : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    /// <summary>A 512-token context: 16 sequences per decode (512 % 16 == 0), as mean pooling requires.</summary>
    public static EngineOptions Options { get; } = new() { ContextSize = 512, Threads = 1 };

    public EmbeddingModel Model { get; private set; } = null!;

    public string Path { get; private set; } = "";

    protected abstract EmbeddingPooling? PoolingKey { get; }

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        Path = Write(_dir, PoolingKey);
        Model = await EmbeddingModel.LoadAsync(Path, Options, EmbeddingModelKind.Embedder, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Model.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The tiny chat model, with <c>llama.pooling_type</c> when <paramref name="pooling"/> is given.</summary>
    public static string Write(TempDir dir, EmbeddingPooling? pooling = null, string name = "embed.gguf",
        IEnumerable<(string Key, GgufValueType Type, object Value)>? metadata = null, IEnumerable<GgufEdit.Tensor>? tensors = null)
    {
        var chat = TinyModels.WriteChatModel(dir["chat-" + name]);
        var keys = (metadata ?? []).ToList();
        if (pooling is { } p)
            keys.Add(("llama.pooling_type", GgufValueType.UInt32, (uint)p));
        return keys.Count == 0 && tensors is null ? chat : GgufEdit.Copy(chat, dir[name], keys, tensors);
    }
}

public sealed class TinyLastPoolingEmbedder : TinyEmbeddingModel
{
    protected override EmbeddingPooling? PoolingKey => null;
}

public sealed class TinyMeanPoolingEmbedder : TinyEmbeddingModel
{
    protected override EmbeddingPooling? PoolingKey => EmbeddingPooling.Mean;
}
