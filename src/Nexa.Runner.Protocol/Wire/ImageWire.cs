using Google.Protobuf;
using Nexa.Engine.Images;
using Nexa.Runner.Protos;
using WireImageInfo = Nexa.Runner.Protos.ImageInfo;

namespace Nexa.Runner.Wire;

/// <summary>Image generation types ↔ protobuf messages, both directions. PNG bytes cross untouched.</summary>
internal static class ImageWire
{
    public static GenerateImagesRequest ToWire(ImageGenerationRequest request)
    {
        var wire = new GenerateImagesRequest { Prompt = request.Prompt, Width = request.Width, Height = request.Height, Count = request.Count };
        if (request.NegativePrompt is { } negative)
            wire.NegativePrompt = negative;
        if (request.Steps is { } steps)
            wire.Steps = steps;
        if (request.GuidanceScale is { } guidance)
            wire.GuidanceScale = guidance;
        if (request.Seed is { } seed)
            wire.Seed = seed;
        return wire;
    }

    public static ImageGenerationRequest FromWire(GenerateImagesRequest wire) => new()
    {
        Prompt = wire.Prompt,
        NegativePrompt = wire.HasNegativePrompt ? wire.NegativePrompt : null,
        Width = wire.Width,
        Height = wire.Height,
        Count = wire.Count,
        Steps = wire.HasSteps ? wire.Steps : null,
        GuidanceScale = wire.HasGuidanceScale ? wire.GuidanceScale : null,
        Seed = wire.HasSeed ? wire.Seed : null,
    };

    public static GenerateImagesEvent ToWire(ImageGenerationProgress progress) => new()
    {
        Progress = new ImageProgress { Image = progress.Image, Images = progress.Images, Step = progress.Step, Steps = progress.Steps },
    };

    public static ImageGenerationProgress FromWire(ImageProgress wire) => new(wire.Image, wire.Images, wire.Step, wire.Steps);

    public static GenerateImagesEvent ToWire(GeneratedImage image) => new()
    {
        Image = new ImageResult { Png = ByteString.CopyFrom(image.Png), Seed = image.Seed },
    };

    public static GeneratedImage FromWire(ImageResult wire) => new(wire.Png.ToByteArray(), wire.Seed);

    public static GenerateImagesEvent Finished(TimeSpan elapsed) => new()
    {
        Finished = new ImagesFinished { ElapsedUs = elapsed.Ticks / TimeSpan.TicksPerMicrosecond },
    };

    public static TimeSpan Elapsed(ImagesFinished wire) => TimeSpan.FromTicks(wire.ElapsedUs * TimeSpan.TicksPerMicrosecond);

    public static WireImageInfo ToWire(ImageModelInfo info) => new()
    {
        Family = info.Family,
        Scheduler = info.Scheduler,
        DefaultSize = info.DefaultSize,
        MinSize = info.MinSize,
        MaxSize = info.MaxSize,
        DefaultSteps = info.DefaultSteps,
        DefaultGuidanceScale = info.DefaultGuidanceScale,
    };

    public static ImageModelInfo FromWire(WireImageInfo wire) => new()
    {
        Family = wire.Family,
        Scheduler = wire.Scheduler,
        DefaultSize = wire.DefaultSize,
        MinSize = wire.MinSize,
        MaxSize = wire.MaxSize,
        DefaultSteps = wire.DefaultSteps,
        DefaultGuidanceScale = wire.DefaultGuidanceScale,
    };
}
