using System.Net.Sockets;
using Grpc.Net.Client;
using Nexa.Engine.Text;

namespace Nexa.Runner.Client;

/// <summary>Where runner sockets live, and gRPC channels over them.</summary>
internal static class RunnerSockets
{
    /// <summary>sun_path holds 108 bytes on Linux (104 on macOS), with the terminating NUL.</summary>
    public const int MaxPathLength = 100;

    private static int _counter;

    /// <summary>A fresh path no runner uses, in a folder only this user can enter.</summary>
    public static string NewPath(string? directory)
    {
        directory ??= DefaultDirectory();
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if ((File.GetUnixFileMode(directory) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                throw WritableByOthers(directory);
        }
        var path = Path.Combine(directory, $"runner-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}-{Random.Shared.Next(0x10000):x4}.sock");
        if (path.Length >= MaxPathLength)
            throw new EngineException(EngineErrorKind.LoadFailed, $"the runner socket path {path} is longer than {MaxPathLength} characters; choose a shorter socket folder");
        return path;
    }

    private static EngineException WritableByOthers(string directory) => new(EngineErrorKind.LoadFailed,
        $"the runner socket folder {directory} is writable by other users; remove it or set XDG_RUNTIME_DIR");

    public static string DefaultDirectory()
    {
        // XDG_RUNTIME_DIR is per user, private and cleaned at logout: the right home for sockets.
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Directory.Exists(runtime))
        {
            var underRuntime = Path.Combine(runtime, "nexa");
            if (underRuntime.Length < MaxPathLength - 40)
                return underRuntime;
        }
        var underTemp = Path.Combine(Path.GetTempPath(), $"nexa-{Environment.UserName}");
        return underTemp.Length < MaxPathLength - 40 ? underTemp : $"/tmp/nexa-{Environment.UserName}";
    }

    /// <summary>
    /// A channel to the runner listening on <paramref name="socketPath"/>. The address is a placeholder (HTTP/2 needs one);
    /// connection errors name the socket instead of "localhost:80".
    /// </summary>
    public static GrpcChannel CreateChannel(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    throw new IOException($"cannot connect to the runner's socket {socketPath}: {e.Message}", e);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            // Local and long-lived: no idle timeout, no keep-alive pings; a dead runner resets the socket at once.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = RunnerLimits.MaxMessageBytes,
            MaxSendMessageSize = RunnerLimits.MaxMessageBytes,
        });
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
