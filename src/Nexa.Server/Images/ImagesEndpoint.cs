using Microsoft.AspNetCore.Http;
using Nexa.Engine.Images;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Images;
using Nexa.Server.Errors;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Images;

/// <summary>
/// <c>POST /v1/images/generations</c>: parse and check the body, resolve the model (an image_gen pipeline), hold it
/// loaded and one of its slots, generate, answer OpenAI's list with URLs to this server or base64 PNGs. A client that
/// leaves cancels the generation (the runner stops between steps) and gives the slot back.
/// <c>GET /v1/images/files/&lt;id&gt;.png</c> serves the URLs' files until they expire.
/// </summary>
internal sealed class ImagesEndpoint(ModelPipeline pipeline, ImageFiles files, TimeProvider time)
{
    public Task HandleAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.ImagesRequest, ImageRequestMapper.Map, async call =>
        {
            var job = call.Job;
            ImageGenerationResult result;
            // The slot goes back before the files are written and the (possibly large) answer is sent.
            await using (var lease = await call.LeaseAsync())
            {
                var info = lease.Model.Info.Image
                    ?? throw new EngineException(EngineErrorKind.Internal, $"the runner for {job.Model} did not say which image sizes it takes");
                result = await lease.GenerateImagesAsync(ImageRequestMapper.Complete(job, info), progress: null, call.Ct);
            }
            if (result.Images.Count != job.Request.Count)
                throw new EngineException(EngineErrorKind.Internal, $"the engine returned {result.Images.Count} images for n={job.Request.Count}");

            var items = new List<ImageItem>(result.Images.Count);
            foreach (var image in result.Images)
            {
                items.Add(job.AsUrl
                    ? new ImageItem { Url = FileUrl(http, await files.SaveAsync(image.Png, call.Ct)) }
                    : new ImageItem { B64Json = Convert.ToBase64String(image.Png) });
            }
            var answer = new ImagesResponse { Created = time.GetUtcNow().ToUnixTimeSeconds(), Data = items };
            await JsonReply.WriteAsync(http, answer, ProtocolJsonContext.Wire.ImagesResponse);
        });

    public async Task ServeFileAsync(HttpContext http)
    {
        var name = http.Request.RouteValues["name"] as string ?? "";
        var path = files.Find(name) ?? throw new ApiException(ErrorTable.ImageNotFound(files.Ttl));
        http.Response.ContentType = "image/png";
        http.Response.Headers.CacheControl = "private, max-age=" + (long)files.Ttl.TotalSeconds;
        await http.Response.SendFileAsync(path, http.RequestAborted);
    }

    // Absolute, on the scheme, host and port the client used (so it works behind a port mapping or on a LAN address).
    private static string FileUrl(HttpContext http, string name) =>
        $"{http.Request.Scheme}://{http.Request.Host.ToUriComponent()}{http.Request.PathBase.ToUriComponent()}{ImageFiles.RoutePrefix}{name}";
}
