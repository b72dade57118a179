using System.Net;
using System.Text;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>llama-server's /tokenize and /detokenize, through a real runner on the tiny model's vocabulary.</summary>
public sealed class TokenizeThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    private async Task<JsonElement> PostAsync(string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Server.Http.PostAsync(path, RealServer.Json(json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<int[]> TokenizeAsync(string content, string extra = "") =>
        [.. (await PostAsync("/tokenize", $$"""{"model":"{{RealServer.Model}}","content":{{JsonSerializer.Serialize(content)}}{{extra}}}"""))
            .GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())];

    [Theory]
    [InlineData("Hello, world!")]
    [InlineData("héllo 你好 😀")]
    public async Task Detokenize_gives_back_the_text_that_was_tokenized(string text)
    {
        var tokens = await TokenizeAsync(text);

        Assert.NotEmpty(tokens);
        var back = await PostAsync("/detokenize", $$"""{"model":"{{RealServer.Model}}","tokens":[{{string.Join(",", tokens)}}]}""");
        Assert.Equal(text, back.Str("content"));
    }

    [Fact]
    public async Task Control_tokens_are_parsed_by_default_and_kept_as_text_with_parse_special_false()
    {
        var parsed = await TokenizeAsync("<|im_end|>");
        var literal = await TokenizeAsync("<|im_end|>", ",\"parse_special\":false");

        Assert.Single(parsed);
        Assert.True(literal.Length > 1, $"'<|im_end|>' as text should be several tokens, got {literal.Length}");
        var back = await PostAsync("/detokenize", $$"""{"model":"{{RealServer.Model}}","tokens":[{{parsed[0]}}]}""");
        Assert.Equal("<|im_end|>", back.Str("content"));
    }

    [Fact]
    public async Task Add_special_puts_the_bos_token_first()
    {
        var plain = await TokenizeAsync("Hi");
        var special = await TokenizeAsync("Hi", ",\"add_special\":true");

        Assert.True(special.Length >= plain.Length);
        Assert.Equal(plain, special[^plain.Length..]);
    }

    [Fact]
    public async Task With_pieces_each_token_carries_its_text_or_its_bytes_and_together_they_make_the_text()
    {
        const string text = "a 你好";
        var answer = await PostAsync("/tokenize", $$"""{"model":"{{RealServer.Model}}","content":"{{text}}","with_pieces":true}""");

        var bytes = new List<byte>();
        foreach (var token in answer.GetProperty("tokens").EnumerateArray())
        {
            Assert.True(token.GetProperty("id").GetInt32() >= 0);
            var piece = token.GetProperty("piece");
            bytes.AddRange(piece.ValueKind == JsonValueKind.String
                ? Encoding.UTF8.GetBytes(piece.GetString()!)
                : piece.EnumerateArray().Select(b => (byte)b.GetInt32()));
        }
        Assert.Equal(text, Encoding.UTF8.GetString([.. bytes]));
    }

    [Fact]
    public async Task A_token_outside_the_vocabulary_is_400_and_the_runner_lives_on()
    {
        var error = (await PostAsync("/detokenize", $$"""{"model":"{{RealServer.Model}}","tokens":[1,99999999]}""", HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("tokens", error.Str("param"));
        Assert.Equal("invalid_value", error.Str("code"));
        Assert.NotEmpty(await TokenizeAsync("still here"));
    }

    [Theory]
    [InlineData("/tokenize", """{"content":"x"}""", "model")]
    [InlineData("/tokenize", """{"model":"tiny/chat"}""", "content")]
    [InlineData("/detokenize", """{"model":"tiny/chat"}""", "tokens")]
    public async Task Missing_fields_are_400_naming_them(string path, string body, string param)
    {
        var error = (await PostAsync(path, body, HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal(param, error.Str("param"));
    }
}
