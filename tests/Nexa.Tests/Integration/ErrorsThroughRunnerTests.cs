using System.Net;
using System.Text.Json;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>
/// Requests the real engine refuses, and a model llama.cpp cannot load, get OpenAI-shaped errors with the right
/// status; the server (this very test process) and the good model go on serving after each.
/// </summary>
public sealed class ErrorsThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_400_context_length_exceeded()
    {
        // The context holds 512 tokens; every character of this costs at least one (byte fallback).
        var tooLong = string.Concat(Enumerable.Repeat("zq", 400));

        using var response = await Server.PostChatAsync(RealServer.ChatBody(tooLong));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
        Assert.Equal("messages", error.Str("param"));
        Assert.Equal("invalid_request_error", error.Str("type"));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_streamed_prompt_longer_than_the_context_is_400_before_any_event()
    {
        var tooLong = string.Concat(Enumerable.Repeat("zq", 400));

        using var response = await Server.PostChatAsync(RealServer.ChatBody(tooLong, "\"stream\":true"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.Str("code"));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_logit_bias_for_a_token_outside_the_vocabulary_is_400()
    {
        // Within the wire's rules (a token id, a bias in -100..100), beyond the model's vocabulary: only the engine knows.
        var body = RealServer.ChatBody(extra: $"\"logit_bias\":{{\"{TinyModels.VocabSize + 1000}\":5}}");

        using var response = await Server.PostChatAsync(body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("logit_bias", error.Str("param"));
        Assert.Contains((TinyModels.VocabSize + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Str("message"));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_logit_bias_inside_the_vocabulary_is_honoured()
    {
        // A bias of 100 on one byte token: every sampled token is that one.
        var letter = TinyModels.ByteTokenId((byte)'Q');

        var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: $"\"max_tokens\":5,\"ignore_eos\":true,\"logit_bias\":{{\"{letter}\":100}}"));

        Assert.Equal("QQQQQ", completion.Content);
    }

    [Fact]
    public async Task A_temperature_of_5_is_400()
    {
        using var response = await Server.PostChatAsync(RealServer.ChatBody(extra: "\"temperature\":5"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("temperature", error.Str("param"));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_model_not_pulled_is_404()
    {
        using var response = await Server.PostChatAsync(RealServer.ChatBody(model: RealServer.MissingModel));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
        Assert.Contains("pull", error.Str("message"));
        Assert.DoesNotContain(RealServer.MissingModel, await Server.LoadedModelsAsync());
    }

    [Fact]
    public async Task A_truncated_gguf_is_500_with_llama_cpp_reason_and_the_good_model_keeps_serving()
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await Server.PostChatAsync(RealServer.ChatBody(model: RealServer.BrokenModel));

            var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
            Assert.Equal("model_load_failed", error.Str("code"));
            Assert.Equal("server_error", error.Str("type"));
            var message = error.Str("message")!;
            // llama.cpp's own words, not just ours: what it found wrong with the file.
            Assert.Contains("llama.cpp", message);
            Assert.Contains("error loading model", message);
            Assert.Contains("broken-F32.gguf", message);
        }
        Assert.DoesNotContain(await Server.LoadedModelsAsync(), m => m.StartsWith(RealServer.BrokenModel, StringComparison.Ordinal));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_truncated_gguf_streamed_is_500_too()
    {
        using var response = await Server.PostChatAsync(RealServer.ChatBody(model: RealServer.BrokenModel, extra: "\"stream\":true"));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal("model_load_failed", error.Str("code"));
        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        using var health = await Server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.Str("status"));
        var completion = await Answers.CompleteAsync(Server, RealServer.ChatBody(extra: "\"max_tokens\":4,\"ignore_eos\":true"));
        Assert.Equal(4, completion.CompletionTokens);
    }
}
