using Nexa.Engine.Text;

namespace Nexa.Server.Chat;

/// <summary>A validated chat request: the engine's job plus what only the HTTP side needs.</summary>
internal sealed record ChatJob
{
    /// <summary>The model string as the client wrote it (echoed back in every response).</summary>
    public required string Model { get; init; }

    public required ChatRequest Request { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }

    /// <summary>Some message carries an image part.</summary>
    public bool HasImages { get; init; }

    /// <summary>No user or assistant message: the original's warm-up, which loads the model and answers <c>null</c>.</summary>
    public bool IsWarmUp { get; init; }
}
