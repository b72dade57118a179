using System.Diagnostics.CodeAnalysis;
using System.Text;
using Grpc.Core;
using Nexa.Engine.Text;

namespace Nexa.Runner.Wire;

/// <summary>
/// <see cref="EngineException"/> ↔ gRPC status. The status code is the natural gRPC one for the kind (so any gRPC
/// tool shows something sensible); the trailers carry what the client needs to rebuild the very same exception.
/// A failed call WITHOUT <see cref="KindKey"/> did not come from the engine: the transport broke or the runner died.
/// </summary>
internal static class RunnerErrors
{
    public const string KindKey = "nexa-error-kind";

    // Binary ("-bin") trailers: OpenAI codes and params are ASCII today, but nothing promises it.
    public const string CodeKey = "nexa-error-code-bin";
    public const string ParamKey = "nexa-error-param-bin";

    public static RpcException ToRpcException(EngineException e)
    {
        var trailers = new Metadata { { KindKey, e.Kind.ToString() } };
        if (e.Code is { } code)
            trailers.Add(CodeKey, Encoding.UTF8.GetBytes(code));
        if (e.Param is { } param)
            trailers.Add(ParamKey, Encoding.UTF8.GetBytes(param));
        return new RpcException(new Status(ToStatusCode(e.Kind), e.Message), trailers, e.Message);
    }

    public static bool TryGetEngineException(RpcException e, [NotNullWhen(true)] out EngineException? engine)
    {
        engine = null;
        if (e.Trailers.GetValue(KindKey) is not { } kindText || !Enum.TryParse<EngineErrorKind>(kindText, out var kind))
            return false;
        var code = e.Trailers.GetValueBytes(CodeKey) is { } codeBytes ? Encoding.UTF8.GetString(codeBytes) : null;
        var param = e.Trailers.GetValueBytes(ParamKey) is { } paramBytes ? Encoding.UTF8.GetString(paramBytes) : null;
        engine = new EngineException(kind, e.Status.Detail, code, param);
        return true;
    }

    public static StatusCode ToStatusCode(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.InvalidRequest => StatusCode.InvalidArgument,
        EngineErrorKind.LoadFailed => StatusCode.FailedPrecondition,
        EngineErrorKind.Crashed => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
