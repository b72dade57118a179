using Microsoft.AspNetCore.Http;
using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;
using Nexa.Protocol;
using Nexa.Server.Http;

namespace Nexa.Server.Errors;

/// <summary>
/// Every error a client can get, in one place: the status, OpenAI's <c>type</c> and <c>code</c>, and the wording.
/// Routes throw <see cref="ApiException"/> with a row from here; anything else thrown is mapped by <see cref="From"/>.
/// </summary>
internal static class ErrorTable
{
    public const string InvalidRequestType = "invalid_request_error";
    public const string ServerErrorType = "server_error";

    public static ApiError MalformedJson(string detail) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"could not parse the JSON body: {detail}", null, ErrorCodes.InvalidJson);

    public static ApiError MissingParameter(string param) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"missing required parameter: '{param}'", param, ErrorCodes.MissingParameter);

    public static ApiError WrongType(string param, string expected) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid type for '{param}': expected {expected}", param, ErrorCodes.InvalidType);

    /// <summary>
    /// A string that is not Unicode: bytes that are not UTF-8, or an escaped lone surrogate (<c>"\ud800"</c>). Reading it
    /// throws wherever it is read (the deserializer, or a field kept as raw JSON), so every reader maps it here.
    /// </summary>
    public static ApiError InvalidText(string param) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType,
            $"invalid '{param}': the text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate escape such as \\ud800)", param, ErrorCodes.InvalidValue);

    /// <summary>
    /// A request whose HTTP framing is broken (a chunk size that is not a number or overflows, a body that ends early)
    /// or that Kestrel refused before any route saw it (a bad request line, headers too large): no JSON to speak of.
    /// </summary>
    public static ApiError MalformedRequest(int status, string detail) =>
        new(status, InvalidRequestType, $"malformed HTTP request: {detail}", null, ErrorCodes.MalformedRequest);

    public static ApiError InvalidValue(string param, string rule) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {rule}", param, ErrorCodes.InvalidValue);

    /// <summary>An empty string (or token list) where text is needed: an input to embed, a query to rank against.</summary>
    public static ApiError EmptyText(string param) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': must not be empty", param, ErrorCodes.InvalidValue);

    /// <summary>More inputs or documents than one request may carry (refused before anything is loaded).</summary>
    public static ApiError TooManyItems(string param, int count, int max) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {count} items; at most {max} per request", param, ErrorCodes.InvalidValue);

    /// <summary><c>/v1/reranking</c> with a query but no documents, or documents but no query (neither is the warm-up).</summary>
    public static ApiError RerankHalfEmpty(string missing) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType,
            $"'{missing}' is empty: send both query and documents (or neither, to load the model)", missing, ErrorCodes.InvalidValue);

    /// <summary>A feature we will have but do not yet: refused, never silently ignored.</summary>
    public static ApiError NotSupportedYet(string param, string what) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"not supported yet: {what}", param, ErrorCodes.UnsupportedParameter);

    /// <summary>Image parts sent to a model without a vision projector; the param names the first image part.</summary>
    public static ApiError ModelCannotSeeImages(string requested, string param) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType,
            $"model '{requested}' cannot see images: it has no vision projector (mmproj); use a vision model (vlm) or send text only", param, ErrorCodes.ModelNotSupported);

    /// <summary>An image's bytes that cannot be used: no image, a format we do not take, too many bytes or pixels.</summary>
    public static ApiError BadImage(string param, ImageException image) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {image.Message}", param, image.Code);

    /// <summary>More image parts than one request may carry (the server holds every image's bytes until the answer ends).</summary>
    public static ApiError TooManyImages(int count) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType,
            $"invalid 'messages': {count} images; at most {ImageLimits.MaxImagesPerRequest} per request", "messages", ErrorCodes.ImageTooLarge);

    /// <summary>An image URL of a form we do not take: another scheme, a data URI that is not base64 or not an image.</summary>
    public static ApiError BadImageUrl(string param, string message) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {message}", param, ErrorCodes.InvalidImageUrl);

    /// <summary>A remote image that did not arrive: no such host, refused, timed out, an HTTP error, too many redirects.</summary>
    public static ApiError ImageFetchFailed(string param, string message) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {message}", param, ErrorCodes.ImageFetchFailed);

    public static ApiError ImageFileNotFound(string param, string message) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType, $"invalid '{param}': {message}", param, ErrorCodes.ImageNotFound);

    /// <summary>A path on the server, from a server that listens on the network without --allow-local-files.</summary>
    public static ApiError LocalFilesForbidden(string param) =>
        new(StatusCodes.Status403Forbidden, InvalidRequestType,
            $"'{param}' is a file path on the server, and this server listens on the network: it reads no local files for clients. "
            + "Send the image as a data:image/…;base64, URI or an http(s) URL, or start the server with --allow-local-files",
            param, ErrorCodes.LocalFilesForbidden);

    /// <summary>A URL that resolves to loopback or a private network, from a server that listens on the network without --allow-private-urls.</summary>
    public static ApiError PrivateUrlForbidden(string param, string message) =>
        new(StatusCodes.Status403Forbidden, InvalidRequestType, $"invalid '{param}': {message}", param, ErrorCodes.PrivateUrlForbidden);

    public static ApiError ModelNotFound(string message) =>
        new(StatusCodes.Status404NotFound, InvalidRequestType, message, "model", ErrorCodes.ModelNotFound);

    /// <summary>
    /// A name no pulled model (nor alias) answers to: the nearest pulled names, and the pull command only when the
    /// name has an organisation (<c>gpt-4o-mini</c> is no Hugging Face repo to pull, but may be made an alias).
    /// </summary>
    public static ApiError ModelNotPulled(string requested, IReadOnlyList<string> closest, string? pullName)
    {
        var message = $"model '{requested}' is not pulled";
        if (closest.Count > 0)
            message += $" (did you mean {string.Join(" or ", closest.Select(c => $"'{c}'"))}?)";
        message += pullName is not null
            ? $"; pull it first: nexa pull {pullName}"
            : $"; pull a model (nexa pull org/repo) or serve one under this name: nexa serve --alias {requested}=org/repo";
        return ModelNotFound(message);
    }

    /// <summary>An alias whose model is not pulled (any more): the 404 names the target, which is what to pull.</summary>
    public static ApiError AliasTargetNotPulled(string requested, string target) =>
        ModelNotFound($"model '{requested}' is an alias of {target}, which is not pulled; pull it first: nexa pull {target}");

    /// <summary>A name that matches, ignoring case, several pulled models and none exactly: the client must pick one.</summary>
    public static ApiError AmbiguousModelName(string requested, IReadOnlyList<string> candidates) =>
        new(StatusCodes.Status400BadRequest, InvalidRequestType,
            $"model '{requested}' matches several pulled models that differ only in case: {string.Join(", ", candidates)}; name one exactly",
            "model", ErrorCodes.AmbiguousModel);

    /// <summary>An image URL that expired (<c>--image-ttl</c>) or never existed.</summary>
    public static ApiError ImageNotFound(TimeSpan ttl) =>
        new(StatusCodes.Status404NotFound, InvalidRequestType,
            $"image not found: it has expired (images are kept {(long)ttl.TotalSeconds} s) or never existed", null, ErrorCodes.ImageNotFound);

    public static ApiError MissingApiKey() =>
        new(StatusCodes.Status401Unauthorized, InvalidRequestType, "missing API key: send the header 'Authorization: Bearer <key>'", null, ErrorCodes.InvalidApiKey);

    public static ApiError WrongApiKey() =>
        new(StatusCodes.Status401Unauthorized, InvalidRequestType, "invalid API key", null, ErrorCodes.InvalidApiKey);

    public static ApiError BodyTooLarge(long? limit) =>
        new(StatusCodes.Status413PayloadTooLarge, InvalidRequestType,
            limit is { } bytes ? $"request body too large: the limit is {bytes} bytes" : "request body too large", null, ErrorCodes.RequestTooLarge);

    public static ApiError QueueFull(string what) =>
        new(StatusCodes.Status503ServiceUnavailable, ServerErrorType, $"server busy: {what}; retry shortly", null, ErrorCodes.ServerBusy)
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>The model alone needs more memory than the budget allows (nothing to evict would help; a retry neither).</summary>
    public static ApiError OverMemoryBudget(string model, long needBytes, long budgetBytes) =>
        new(StatusCodes.Status503ServiceUnavailable, ServerErrorType,
            $"{model} needs about {needBytes >> 20} MiB (weights + KV cache + runner) but the memory budget is {budgetBytes >> 20} MiB; raise --memory-budget or lower --ctx-size / --parallel",
            null, ErrorCodes.InsufficientMemory);

    public static ApiError ShuttingDown() =>
        new(StatusCodes.Status503ServiceUnavailable, ServerErrorType, "the server is shutting down", null, ErrorCodes.ServerShuttingDown);

    public static ApiError UnknownRoute(string method, string path) =>
        new(StatusCodes.Status404NotFound, InvalidRequestType, $"unknown request URL: {method} {path}", null, ErrorCodes.UnknownUrl);

    public static ApiError MethodNotAllowed(string method, string path) =>
        new(StatusCodes.Status405MethodNotAllowed, InvalidRequestType, $"method not allowed: {method} {path}", null, ErrorCodes.MethodNotAllowed);

    /// <summary>A status set with no body (by routing or Kestrel): give it a body in OpenAI's shape.</summary>
    public static ApiError ForBareStatus(int status, string method, string path) => status switch
    {
        StatusCodes.Status404NotFound => UnknownRoute(method, path),
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed(method, path),
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge(null),
        StatusCodes.Status400BadRequest => MalformedRequest(status, "the request could not be read"),
        StatusCodes.Status408RequestTimeout => MalformedRequest(status, "the request did not arrive in time"),
        StatusCodes.Status414RequestUriTooLong => MalformedRequest(status, "the URL is too long"),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => MalformedRequest(status, "the headers are too large"),
        >= 500 => new(status, ServerErrorType, $"HTTP {status}"),
        _ => new(status, InvalidRequestType, $"HTTP {status}"),
    };

    public static ApiError Unexpected() =>
        new(StatusCodes.Status500InternalServerError, ServerErrorType, "internal server error (details are in the server's log)", null, ErrorCodes.InternalError);

    /// <summary>Maps anything thrown while serving a request to its answer.</summary>
    public static ApiError From(Exception exception) => exception switch
    {
        ApiException api => api.Error,
        EngineException engine => FromEngine(engine),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => BodyTooLarge(null),
        BadHttpRequestException bad => MalformedRequest(bad.StatusCode, bad.Message),
        _ => Unexpected(),
    };

    /// <summary>True for failures the server did not foresee: they are logged with their stack trace.</summary>
    public static bool IsUnexpected(Exception exception) =>
        exception is not (ApiException or EngineException or BadHttpRequestException);

    private static ApiError FromEngine(EngineException e) => e.Kind switch
    {
        // Every refusal has a code: an engine check that names none is still a value the request may not have.
        EngineErrorKind.InvalidRequest => new(StatusCodes.Status400BadRequest, InvalidRequestType, e.Message, e.Param, e.Code ?? ErrorCodes.InvalidValue),
        EngineErrorKind.LoadFailed => new(StatusCodes.Status500InternalServerError, ServerErrorType, e.Message, e.Param, e.Code ?? ErrorCodes.ModelLoadFailed),
        EngineErrorKind.Crashed => new(StatusCodes.Status500InternalServerError, ServerErrorType, e.Message, e.Param, e.Code ?? ErrorCodes.RunnerCrashed),
        _ => new(StatusCodes.Status500InternalServerError, ServerErrorType, e.Message, e.Param, e.Code ?? ErrorCodes.EngineError),
    };

    /// <summary>Writes the error as the whole response (the response must not have started).</summary>
    public static async Task WriteAsync(HttpContext http, ApiError error)
    {
        var response = http.Response;
        response.StatusCode = error.Status;
        response.ContentLength = null;
        if (error.RetryAfterSeconds is { } seconds)
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (error.Status == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = "Bearer";
        await JsonReply.WriteAsync(http, error.ToBody(), ProtocolJsonContext.Wire.ErrorBody, error.Status);
    }
}
