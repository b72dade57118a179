using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Chat;

/// <summary>A validated chat request: the engine's job plus what only the HTTP side needs.</summary>
internal sealed record ChatJob : IModelJob
{
    /// <summary>The model string as the client wrote it (echoed back in every response).</summary>
    public required string Model { get; init; }

    public required ChatRequest Request { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }

    /// <summary>The image parts, in request order, still as URLs: fetched and attached before a model is leased.</summary>
    public IReadOnlyList<ImagePart> Images { get; init; } = [];

    /// <summary>Longer side, in pixels, each image is shrunk to (the original's <c>image_max_length</c>).</summary>
    public int ImageMaxLength { get; init; } = ImageLimits.DefaultMaxLength;

    public bool HasImages => Images.Count > 0;

    public ModelNeed Need => new(ModelTask.Chat, Images.FirstOrDefault()?.Param);

    /// <summary>
    /// No messages, or the original client's system-only warm-up: loads the model and answers <c>null</c> (an empty
    /// event stream when asked to stream).
    /// </summary>
    public bool IsWarmUp { get; init; }
}

/// <summary>
/// One <c>image_url</c> part: the message it belongs to, the character index in that message's text where it sits,
/// its URL as sent, and its place in the request for error messages (<c>messages[1].content[2].image_url.url</c>).
/// </summary>
internal sealed record ImagePart(int Message, int Position, string Url, string Param);
