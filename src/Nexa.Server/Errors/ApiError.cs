using Nexa.Protocol;

namespace Nexa.Server.Errors;

/// <summary>What a client is told about a failure: an HTTP status and OpenAI's error fields.</summary>
internal sealed record ApiError(int Status, string Type, string Message, string? Param = null, string? Code = null)
{
    /// <summary>Sent as Retry-After when set (503 while the queue is full).</summary>
    public int? RetryAfterSeconds { get; init; }

    public ErrorBody ToBody() => new(new ErrorDetail(Message, Type, Param, Code));
}

/// <summary>Thrown anywhere in the server with the answer the client should get; turned into JSON by <see cref="ErrorTable"/>.</summary>
internal sealed class ApiException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
