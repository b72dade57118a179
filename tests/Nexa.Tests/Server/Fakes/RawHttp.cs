using System.Net.Sockets;
using System.Text;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// HTTP/1.1 spoken by hand over a socket, for what no HTTP client will send: broken chunk sizes, oversized request
/// lines and headers, bodies cut short. Reads the answer until the server closes or the deadline passes.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body)
    {
        public bool HasJsonError => Body.Contains("\"error\"", StringComparison.Ordinal) && Body.Contains("\"message\"", StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="request"/> as it is; <paramref name="closeAfterSend"/> half-closes to cut the body short.</summary>
    public static async Task<Answer?> SendAsync(Uri server, byte[] request, bool closeAfterSend = false, int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            if (closeAfterSend)
                socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server may answer and close before it has read everything: the answer is still there to read.
        }
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (received.Length < 1 << 20)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                    break;
                received.Write(buffer, 0, read);
                if (Complete(received.ToArray()))
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text.ReplaceLineEndings("\r\n"));

    private static bool Complete(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return false;
        var head = text[..end];
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
            return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) || text.EndsWith("\r\n\r\n0\r\n\r\n", StringComparison.Ordinal);
        var length = head.Split("\r\n").Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase));
        return length is not null && Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(length[1].Trim());
    }

    private static Answer? Parse(string text)
    {
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12)
            return null;
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? "" : text[(end + 4)..];
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = Unchunk(body);
        return new Answer(int.Parse(text[9..12]), head, body);
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var line = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (line < 0 || !int.TryParse(body.AsSpan(at, line - at), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
                break;
            result.Append(body, line + 2, Math.Min(size, body.Length - line - 2));
            at = line + 2 + size + 2;
        }
        return result.ToString();
    }
}
