using System.Globalization;
using Nexa.Engine.Images;
using Nexa.Protocol.Images;
using Nexa.Server.Errors;

namespace Nexa.Server.Images;

/// <summary>
/// Checks a <c>/v1/images/generations</c> body and translates it into the engine's <see cref="ImageGenerationRequest"/>.
/// Everything that needs no model is checked before a model is loaded; the size range, which each pipeline sets,
/// once it is (<see cref="Complete"/>).
/// </summary>
internal static class ImageRequestMapper
{
    public const int MaxImages = ImageGenerationLimits.MaxImages;
    public const int MaxSteps = ImageGenerationLimits.MaxSteps;
    public const float MaxGuidanceScale = ImageGenerationLimits.MaxGuidanceScale;
    private const int SizeStep = 64;

    public static ImageJob Map(ImagesRequest body)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
            throw Fail(ErrorTable.MissingParameter("model"));
        var prompt = body.Prompt ?? throw Fail(ErrorTable.MissingParameter("prompt"));
        var count = body.N ?? 1;
        if (count is < 1 or > MaxImages)
            throw Fail(ErrorTable.InvalidValue("n", $"must be from 1 to {MaxImages}, not {count}"));
        var asUrl = body.ResponseFormat switch
        {
            null or "url" => true,
            "b64_json" => false,
            _ => throw Fail(ErrorTable.InvalidValue("response_format", "must be 'url' or 'b64_json'")),
        };
        if (body.Seed is < 0)
            throw Fail(ErrorTable.InvalidValue("seed", "must be 0 or more"));
        if (body.Steps is < 1 or > MaxSteps)
            throw Fail(ErrorTable.InvalidValue("steps", $"must be from 1 to {MaxSteps}"));
        if (body.GuidanceScale is { } guidance && (!float.IsFinite(guidance) || guidance < 0 || guidance > MaxGuidanceScale))
            throw Fail(ErrorTable.InvalidValue("guidance_scale", $"must be from 0 to {MaxGuidanceScale.ToString(CultureInfo.InvariantCulture)}"));

        return new ImageJob
        {
            Model = body.Model,
            Size = body.Size is null ? null : ParseSize(body.Size),
            AsUrl = asUrl,
            IsWarmUp = prompt.Length == 0,
            Request = new ImageGenerationRequest
            {
                Prompt = prompt,
                NegativePrompt = string.IsNullOrEmpty(body.NegativePrompt) ? null : body.NegativePrompt,
                Count = count,
                Steps = body.Steps,
                GuidanceScale = body.GuidanceScale,
                Seed = body.Seed is { } seed ? (ulong)seed : null,
            },
        };
    }

    /// <summary>The request with its size: the one asked for if the model takes it (else 400), or the model's default square.</summary>
    public static ImageGenerationRequest Complete(ImageJob job, ImageModelInfo model)
    {
        var (width, height) = job.Size ?? (model.DefaultSize, model.DefaultSize);
        if (width < model.MinSize || width > model.MaxSize || height < model.MinSize || height > model.MaxSize)
        {
            throw Fail(ErrorTable.InvalidValue("size",
                $"{width}x{height} is outside this model's range: each side from {model.MinSize} to {model.MaxSize} (multiples of {SizeStep})"));
        }
        return job.Request with { Width = width, Height = height };
    }

    private static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Trim().Split('x', 'X');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            || width == 0 || height == 0)
        {
            throw Fail(ErrorTable.InvalidValue("size", $"must be WIDTHxHEIGHT in pixels, e.g. 512x512, not '{size}'"));
        }
        if (width % SizeStep != 0 || height % SizeStep != 0)
            throw Fail(ErrorTable.InvalidValue("size", $"width and height must be multiples of {SizeStep}, not {width}x{height}"));
        return (width, height);
    }

    private static ApiException Fail(ApiError error) => new(error);
}
