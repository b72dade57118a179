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

    /// <summary><c>input: []</c>: nothing to embed; the model is loaded (the original's warm-up).</summary>
    public bool IsWarmUp { get; init; }

    /// <summary>
    /// A warm-up's answer: the original's <c>null</c> when the body names no <c>encoding_format</c> (as the original's
    /// client sends it), else an empty list: stock OpenAI clients always name one and read <c>data</c> from the answer.
    /// </summary>
    public bool WarmUpAnswersNull { get; init; }
}
