using System.Diagnostics;
using System.Net;
using Nexa.Tests.Server.Fakes;
using Xunit.Abstractions;

namespace Nexa.Tests.Integration;

/// <summary>
/// Text far longer than the context is refused before it is tokenized (a token covers at most the vocabulary's
/// longest piece, so N bytes are at least N / longest tokens), whatever its script; text that may fit is tokenized in
/// time linear in its length. Either way the model goes on serving others.
/// </summary>
public sealed class LongTextThroughRunnerTests(RealServerFixture fixture, ITestOutputHelper output) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Theory]
    [InlineData("é", 500_000)]
    [InlineData("a", 1_000_000)]
    [InlineData("😀", 200_000)]
    public async Task Text_that_cannot_fit_is_400_context_length_exceeded(string unit, int repeat)
    {
        var body = RealServer.ChatBody(string.Concat(Enumerable.Repeat(unit, repeat)));
        using var client = Server.NewClient();
        client.Timeout = TimeSpan.FromMinutes(3);

        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/v1/chat/completions", RealServer.Json(body));
        output.WriteLine($"{repeat} × '{unit}': {(int)response.StatusCode} in {clock.Elapsed.TotalSeconds:0.00} s");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
        using var after = await Server.PostChatAsync(RealServer.ChatBody("Hi", "\"max_tokens\":2"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
