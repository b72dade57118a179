using Nexa.Engine.Embeddings;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Embeddings;

/// <summary>A validated embeddings request: the engine's job plus what only the HTTP side needs.</summary>
internal sealed record EmbeddingJob : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.Embeddings);

    /// <summary>The model string as the client wrote it (echoed back in the response).</summary>
    public required string Model { get; init; }

    public required EmbeddingRequest Request { get; init; }

    /// <summary><c>encoding_format: "base64"</c>.</summary>
    public bool Base64 { get; init; }

    /// <summary><c>input: []</c>: the original's warm-up, which loads the model and answers <c>null</c>.</summary>
    public bool IsWarmUp { get; init; }
}
