using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexa.Server;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task Port_zero_binds_a_free_port_and_base_address_reaches_it()
    {
        await using var server = await ServerHarness.StartAsync();

        Assert.Equal("127.0.0.1", server.Server.BaseAddress.Host);
        Assert.NotEqual(0, server.Server.BaseAddress.Port);
        using var response = await new HttpClient().GetAsync(new Uri(server.Server.BaseAddress, "/health"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1:notaport")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.com:18181")]
    public async Task A_bad_host_is_refused_at_start(string host)
    {
        using var dir = new TempDir();

        var e = await Assert.ThrowsAsync<ServerStartException>(() =>
            NexaServer.StartAsync(new ServerOptions { Host = host, DataDir = dir.Path }, new FakeLauncher(), CancellationToken.None));
        Assert.Contains(host, e.Message);
    }

    [Theory]
    [InlineData(0, 2, 64, "--parallel")]
    [InlineData(1, 0, 64, "--max-models")]
    [InlineData(1, 2, -1, "queue")]
    public async Task Settings_it_cannot_run_with_are_refused_at_start(int parallel, int maxModels, int queueSize, string names)
    {
        using var dir = new TempDir();
        var options = new ServerOptions { Host = "127.0.0.1:0", DataDir = dir.Path, Parallel = parallel, MaxModels = maxModels, QueueSize = queueSize };

        var e = await Assert.ThrowsAsync<ServerStartException>(() => NexaServer.StartAsync(options, new FakeLauncher(), CancellationToken.None));
        Assert.Contains(names, e.Message);
    }

    [Fact]
    public async Task A_port_in_use_is_refused_at_start()
    {
        using var dir = new TempDir();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var e = await Assert.ThrowsAsync<ServerStartException>(() =>
            NexaServer.StartAsync(new ServerOptions { Host = $"127.0.0.1:{port}", DataDir = dir.Path }, new FakeLauncher(), CancellationToken.None));
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public async Task Wait_for_shutdown_returns_when_its_token_is_cancelled_and_the_server_is_stopped()
    {
        await using var server = await ServerHarness.StartAsync();
        using var stop = new CancellationTokenSource();

        var waiting = server.Server.WaitForShutdownAsync(stop.Token);
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.NewClient().GetAsync("/health"));
    }

    [Fact]
    public async Task Https_serves_with_a_pem_certificate_and_key()
    {
        using var dir = new TempDir();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(dir["cert.pem"], certificate.ExportCertificatePem());
        File.WriteAllText(dir["key.pem"], key.ExportPkcs8PrivateKeyPem());

        await using var server = await NexaServer.StartAsync(
            new ServerOptions { Host = "127.0.0.1:0", DataDir = dir.Path, Https = true, CertFile = dir["cert.pem"], KeyFile = dir["key.pem"] },
            new FakeLauncher(), CancellationToken.None);

        Assert.Equal("https", server.BaseAddress.Scheme);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync(new Uri(server.BaseAddress, "/v1/models"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Https_without_its_files_is_refused_at_start()
    {
        using var dir = new TempDir();

        var e = await Assert.ThrowsAsync<ServerStartException>(() =>
            NexaServer.StartAsync(new ServerOptions { Host = "127.0.0.1:0", DataDir = dir.Path, Https = true, CertFile = dir["missing.pem"], KeyFile = dir["missing.key"] },
                new FakeLauncher(), CancellationToken.None));
        Assert.Contains("missing.pem", e.Message);
    }
}
