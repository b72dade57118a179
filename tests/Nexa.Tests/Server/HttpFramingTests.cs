using System.Net;
using System.Text;
using Nexa.Tests.Server.Fakes;
using Xunit.Abstractions;

namespace Nexa.Tests.Server;

/// <summary>
/// Requests that are not well-formed HTTP: a 4xx, never a 500, in OpenAI's error shape wherever ASP.NET Core lets a
/// route or middleware answer; and the server goes on serving.
/// </summary>
public sealed class HttpFramingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Uri Address => _server.Server.BaseAddress;

    private static byte[] Chunked(string path, string chunkSizeLine) => RawHttp.Ascii(
        $"POST {path} HTTP/1.1\nHost: localhost\nContent-Type: application/json\nTransfer-Encoding: chunked\n\n{chunkSizeLine}\n{{\"model\":\"x\"}}\n0\n\n");

    [Theory]
    [InlineData("/v1/embeddings", "ffffffffffffffff")]
    [InlineData("/v1/chat/completions", "ffffffffffffffff")]
    [InlineData("/v1/rerank", "1ffffffffffffffff")]
    [InlineData("/v1/embeddings", "zz")]
    [InlineData("/v1/embeddings", "-1")]
    public async Task A_broken_chunk_size_is_400_in_openai_shape(string path, string chunkSize)
    {
        var answer = await RawHttp.SendAsync(Address, Chunked(path, chunkSize));

        Assert.NotNull(answer);
        Assert.Equal(400, answer.Status);
        Assert.True(answer.HasJsonError, answer.Body);
        Assert.Contains("malformed_request", answer.Body);
        await AssertAliveAsync();
    }

    [Fact]
    public async Task A_body_cut_short_is_no_500_and_the_server_goes_on()
    {
        var request = RawHttp.Ascii("POST /v1/embeddings HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: 1000\n\n{\"model\":");

        var answer = await RawHttp.SendAsync(Address, request, closeAfterSend: true);

        Assert.True(answer is null || answer.Status is >= 400 and < 500, answer?.Head);
        await AssertAliveAsync();
    }

    [Fact]
    public async Task A_body_over_the_limit_sent_chunked_is_413_in_openai_shape()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MaxBodyBytes = 1024 });
        var chunk = new string('a', 4096);
        var request = RawHttp.Ascii($"POST /v1/embeddings HTTP/1.1\nHost: localhost\nTransfer-Encoding: chunked\n\n1000\n{chunk}\n0\n\n");

        var answer = await RawHttp.SendAsync(server.Server.BaseAddress, request);

        Assert.NotNull(answer);
        Assert.Equal(413, answer.Status);
        Assert.True(answer.HasJsonError, answer.Body);
    }

    // Kestrel answers these itself, before any middleware runs: ASP.NET Core gives no way to write their body,
    // so they come with an empty one. What matters is the status, and that the server goes on.
    [Theory]
    [InlineData("request line", 400)]
    [InlineData("header line", 400)]
    [InlineData("no host", 400)]
    [InlineData("long url", 414)]
    [InlineData("large headers", 431)]
    [InlineData("http version", 505)]
    [InlineData("nul in path", 400)]
    [InlineData("negative length", 400)]
    [InlineData("gzip framing", 400)]
    public async Task What_kestrel_refuses_before_any_route_is_4xx_or_505(string fault, int status)
    {
        var request = fault switch
        {
            "request line" => "GET\u0001/ HTTP/1.1\nHost: localhost\n\n",
            "header line" => "GET /v1/models HTTP/1.1\nHost: localhost\nBad Header\n\n",
            "no host" => "GET /v1/models HTTP/1.1\n\n",
            "long url" => $"GET /v1/models?{new string('a', 20_000)} HTTP/1.1\nHost: localhost\n\n",
            "large headers" => $"GET /v1/models HTTP/1.1\nHost: localhost\nX-Big: {new string('a', 40_000)}\n\n",
            "nul in path" => "GET /v1/%00models HTTP/1.1\nHost: localhost\n\n",
            "negative length" => "POST /v1/embeddings HTTP/1.1\nHost: localhost\nContent-Length: -5\n\n{}",
            "gzip framing" => "POST /v1/embeddings HTTP/1.1\nHost: localhost\nTransfer-Encoding: gzip\n\n{}",
            _ => "GET /v1/models HTTP/9.9\nHost: localhost\n\n",
        };

        var answer = await RawHttp.SendAsync(Address, RawHttp.Ascii(request));

        Assert.NotNull(answer);
        Assert.Equal(status, answer.Status);
        output.WriteLine($"{fault}: {answer.Status}, body {(answer.HasJsonError ? "in OpenAI's shape" : $"'{answer.Body}'")}");
        await AssertAliveAsync();
    }

    private async Task AssertAliveAsync()
    {
        using var client = _server.NewClient();
        using var response = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Raw_http_reads_an_ordinary_answer()
    {
        var answer = await RawHttp.SendAsync(Address, Encoding.ASCII.GetBytes("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));

        Assert.NotNull(answer);
        Assert.Equal(200, answer.Status);
        Assert.Contains("\"data\"", answer.Body);
    }
}
