using Nexa.Engine.Text;

namespace Nexa.Engine.Vision;

/// <summary>
/// Turns a chat's images as the client sent them (the server only fetched them and read their headers) into the PNGs
/// the vision projector takes: decoded, shrunk to the request's <see cref="ChatImage.MaxLength"/>, re-encoded. Done in
/// the engine's process, before the prompt is built, so that decoding a hostile file never runs in the server; an image
/// that cannot be used is the same 400 the server would give, naming the image's part (<see cref="ChatImage.Param"/>).
/// </summary>
public static class ChatImagePreparer
{
    public static ChatRequest Prepare(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Messages.Any(m => m.Images is { Count: > 0 }))
            return request;
        var messages = request.Messages
            .Select((message, i) => message.Images is { Count: > 0 } images ? message with { Images = [.. images.Select(image => Prepare(image, i))] } : message)
            .ToList();
        return request with { Messages = messages };
    }

    private static ChatImage Prepare(ChatImage image, int message)
    {
        var param = image.Param ?? $"messages[{message}]";
        if (image.MaxLength is < 1 or > ImageLimits.MaxLengthLimit)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest,
                $"invalid 'image_max_length': must be between 1 and {ImageLimits.MaxLengthLimit} pixels, not {image.MaxLength}", ErrorCodes.InvalidValue, "image_max_length");
        }
        try
        {
            return image with { Data = ImagePreparer.Prepare(image.Data, image.MaxLength).Png };
        }
        catch (ImageException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"invalid '{param}': {e.Message}", e.Code, image.Param ?? "messages", e);
        }
    }
}
