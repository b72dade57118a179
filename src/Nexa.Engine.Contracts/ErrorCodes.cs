namespace Nexa.Engine;

/// <summary>
/// Every error <c>code</c> a client can see (OpenAI's <c>error.code</c>), one name per situation, defined here only:
/// the engine sets them on <see cref="Text.EngineException"/>, the server on its own answers, and both sides of the
/// runner's wire carry them as they are.
/// </summary>
public static class ErrorCodes
{
    // The request itself.
    public const string InvalidJson = "invalid_json";
    public const string MissingParameter = "missing_required_parameter";
    public const string InvalidType = "invalid_type";
    public const string InvalidValue = "invalid_value";
    public const string UnsupportedParameter = "unsupported_parameter";
    public const string ContextLengthExceeded = "context_length_exceeded";
    public const string RequestTooLarge = "request_too_large";
    public const string UnknownUrl = "unknown_url";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InvalidApiKey = "invalid_api_key";

    /// <summary>Broken HTTP framing (a bad chunk size, a body cut short) or a request Kestrel refused before any route.</summary>
    public const string MalformedRequest = "malformed_request";

    /// <summary>A GBNF grammar (the request's, or one made from a schema) that llama.cpp's parser would refuse.</summary>
    public const string InvalidGrammar = "invalid_grammar";

    /// <summary>The model's chat template refused the chat (its raise_exception) or failed on it; the message names the template.</summary>
    public const string ChatTemplateError = "chat_template_error";

    // The model a request names.
    public const string ModelNotFound = "model_not_found";

    /// <summary>A name that matches several pulled models once case is ignored.</summary>
    public const string AmbiguousModel = "ambiguous_model";

    /// <summary>The model exists but cannot do what was asked: an embedder asked to chat, a text model shown an image.</summary>
    public const string ModelNotSupported = "model_not_supported";

    // Images sent in a chat, and image files served.
    public const string InvalidImage = "invalid_image";
    public const string UnsupportedImageFormat = "unsupported_image_format";
    public const string ImageTooLarge = "image_too_large";
    public const string InvalidImageUrl = "invalid_image_url";
    public const string ImageFetchFailed = "image_fetch_failed";
    public const string ImageNotFound = "image_not_found";
    public const string LocalFilesForbidden = "local_files_forbidden";
    public const string PrivateUrlForbidden = "private_url_forbidden";

    // The server's state.
    public const string ServerBusy = "server_busy";
    public const string InsufficientMemory = "insufficient_memory";
    public const string ServerShuttingDown = "server_shutting_down";
    public const string KvCacheFull = "kv_cache_full";

    // Failures on our side (HTTP 500).
    public const string ModelLoadFailed = "model_load_failed";
    public const string RunnerCrashed = "runner_crashed";
    public const string EngineError = "engine_error";
    public const string InternalError = "internal_error";
}
