using Nexa.Engine.Images;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Images;

/// <summary>An image request, checked: what to ask the engine and how to answer.</summary>
internal sealed record ImageJob : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.ImageGeneration);

    public required string Model { get; init; }

    /// <summary>The engine request; its Width and Height are placeholders until <see cref="ImageRequestMapper.Complete"/> has seen the model.</summary>
    public required ImageGenerationRequest Request { get; init; }

    /// <summary>The size asked for; null: the model's default square.</summary>
    public (int Width, int Height)? Size { get; init; }

    /// <summary>True: answer URLs served by this server; false: base64 PNGs.</summary>
    public bool AsUrl { get; init; }

    /// <summary>An empty prompt: load the model and answer <c>null</c>, as the original does.</summary>
    public bool IsWarmUp { get; init; }
}
