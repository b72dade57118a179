using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Nexa.Server.Hosting;

/// <summary>
/// The original's <c>--host host:port</c>: an IP address (IPv6 in brackets), <c>localhost</c>, or nothing before the
/// colon for every interface; port 0 picks a free port. A leading <c>http://</c> or <c>https://</c> is tolerated.
/// </summary>
internal sealed record ListenAddress(IPAddress? Ip, bool IsLocalhost, int Port)
{
    public const int DefaultPort = 18181;

    /// <summary>Only this machine can connect (127.0.0.0/8, ::1 or localhost); every interface or a LAN address is not.</summary>
    public bool IsLoopback => IsLocalhost || (Ip is not null && IPAddress.IsLoopback(Ip));

    public static ListenAddress Parse(string host)
    {
        var s = host.Trim();
        foreach (var scheme in (string[])["http://", "https://"])
        {
            if (s.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                s = s[scheme.Length..];
        }
        s = s.TrimEnd('/');

        string name;
        var port = DefaultPort;
        var colon = s.LastIndexOf(':');
        var bracketEnd = s.LastIndexOf(']');
        if (colon >= 0 && colon > bracketEnd && (s.StartsWith('[') || s.IndexOf(':') == colon))
        {
            name = s[..colon];
            if (!int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > IPEndPoint.MaxPort)
                throw Invalid(host, "the port must be a number from 0 to 65535");
        }
        else
        {
            name = s;
        }
        name = name.Trim('[', ']');

        if (name.Length == 0)
            return new ListenAddress(null, false, port);
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new ListenAddress(null, true, port);
        if (IPAddress.TryParse(name, out var ip))
            return new ListenAddress(ip, false, port);
        throw Invalid(host, "the host must be an IP address, 'localhost', or empty for every interface");
    }

    public void Listen(KestrelServerOptions kestrel, Action<ListenOptions> configure)
    {
        if (Ip is not null)
            kestrel.Listen(Ip, Port, configure);
        else if (IsLocalhost && Port != 0)
            kestrel.ListenLocalhost(Port, configure);
        else if (IsLocalhost)
            kestrel.Listen(IPAddress.Loopback, 0, configure); // Kestrel cannot pick one free port for both loopbacks.
        else
            kestrel.ListenAnyIP(Port, configure);
    }

    private static ServerStartException Invalid(string host, string why) =>
        new($"invalid --host '{host}': {why} (e.g. 127.0.0.1:18181)");
}
