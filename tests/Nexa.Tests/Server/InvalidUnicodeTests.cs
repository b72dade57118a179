using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// Text that is not Unicode (a lone surrogate escape, bytes that are not UTF-8) in any field, typed or kept as raw
/// JSON, is a 400 naming the field: reading such a string throws, and that must never become a 500.
/// </summary>
public sealed class InvalidUnicodeTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // "BAD" is replaced by a lone surrogate escape, or by raw bytes that are not UTF-8.
    public static TheoryData<string, string, string> Fields => new()
    {
        { "/v1/embeddings", """{"model":"test/embed","input":"BAD"}""", "input" },
        { "/v1/embeddings", """{"model":"test/embed","input":["ok","BAD"]}""", "input[1]" },
        { "/v1/reranking", """{"model":"test/rerank","query":"q","documents":["ok","BAD"]}""", "documents[1]" },
        { "/v1/reranking", """{"model":"test/rerank","query":"q","documents":[{"text":"BAD"}]}""", "documents[0]" },
        { "/v1/rerank", """{"model":"test/rerank","query":"q","documents":["BAD"]}""", "documents[0]" },
        { "/v1/rerank", """{"model":"test/rerank","query":"q","documents":[{"text":"BAD"}]}""", "documents[0]" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":"hi"}],"tool_choice":"BAD"}""", "tool_choice" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"BAD"}}""", "response_format.type" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":"hi"}],"response_format":"BAD"}""", "response_format" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":"BAD"}]}""", "messages[0].content" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":[{"type":"text","text":"BAD"}]}]}""", "messages[0].content" },
        { "/v1/chat/completions", """{"model":"test/chat","messages":[{"role":"user","content":"hi"}],"stop":["BAD"]}""", "stop" },
        { "/v1/chat/completions", """{"model":"BAD","messages":[{"role":"user","content":"hi"}]}""", "model" },
        { "/v1/images/generations", """{"model":"test/sd","prompt":"BAD"}""", "prompt" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task A_lone_surrogate_escape_is_400_naming_the_field(string path, string body, string param)
    {
        using var response = await _server.PostAsync(path, body.Replace("BAD", "a\\ud800b"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Equal(0, _server.Launcher.Launches);
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Bytes_that_are_not_utf8_are_400(string path, string body, string param)
    {
        _ = param; // the reader may stop before the field: the body as a whole is named
        var bytes = Encoding.UTF8.GetBytes(body);
        var at = body.IndexOf("BAD", StringComparison.Ordinal);
        byte[] bad = [.. bytes[..at], 0x61, 0xC3, 0x28, 0xFF, 0x62, .. bytes[(at + 3)..]];
        using var content = new ByteArrayContent(bad);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _server.Http.PostAsync(path, content);

        await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, _server.Launcher.Launches);
    }
}
