using System.Net;
using System.Net.Sockets;

namespace Nexa.Server.Vision;

/// <summary>
/// Which addresses a server open to the network must not fetch images from: anything that reaches this machine or
/// the private network behind it (loopback, RFC 1918, CGNAT, link-local — where cloud metadata services live —,
/// IPv6 unique-local and site-local, multicast, unspecified), IPv4 embedded in IPv6 (mapped, NAT64, 6to4) included.
/// A request could otherwise make the server read what only it can reach (server-side request forgery).
/// </summary>
internal static class AddressPolicy
{
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return IsPrivateV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return true;
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            return true;
        var b = address.GetAddressBytes();
        // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) carry the IPv4 address in the last 4 bytes.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 || b.AsSpan(0, 12).SequenceEqual(new byte[] { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }))
            return IsPrivateV4(b[12..]);
        // 2002:a.b.c.d::/48 (6to4).
        if (b[0] == 0x20 && b[1] == 0x02)
            return IsPrivateV4(b[2..6]);
        return false;
    }

    private static bool IsPrivateV4(byte[] b) => b[0] switch
    {
        0 or 10 or 127 => true,
        100 => b[1] is >= 64 and <= 127, // 100.64.0.0/10, carrier-grade NAT
        169 => b[1] == 254, // link-local, 169.254.169.254 is the cloud metadata service
        172 => b[1] is >= 16 and <= 31,
        192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0),
        198 => b[1] is 18 or 19, // benchmarking networks
        >= 224 => true, // multicast, reserved, broadcast
        _ => false,
    };
}
