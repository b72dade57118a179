using System.Net;
using Nexa.Server;
using Nexa.Server.Hosting;

namespace Nexa.Tests.Server;

/// <summary>The original's --host flag: host and port in one value.</summary>
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:18181", "127.0.0.1", false, 18181)]
    [InlineData("0.0.0.0:8080", "0.0.0.0", false, 8080)]
    [InlineData("[::1]:0", "::1", false, 0)]
    [InlineData("::1", "::1", false, 18181)]
    [InlineData("localhost:9000", null, true, 9000)]
    [InlineData("http://127.0.0.1:18181/", "127.0.0.1", false, 18181)]
    [InlineData("127.0.0.1", "127.0.0.1", false, 18181)]
    [InlineData(":7000", null, false, 7000)]
    public void Parses_host_and_port(string host, string? ip, bool localhost, int port)
    {
        var address = ListenAddress.Parse(host);

        Assert.Equal(ip is null ? null : IPAddress.Parse(ip), address.Ip);
        Assert.Equal(localhost, address.IsLocalhost);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("my-box:18181")]
    public void Refuses_what_it_cannot_bind(string host)
    {
        Assert.Throws<ServerStartException>(() => ListenAddress.Parse(host));
    }
}
