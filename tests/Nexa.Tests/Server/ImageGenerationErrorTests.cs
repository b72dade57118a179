using System.Net;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>Every bad image request answers 400 in OpenAI's shape, naming the field, and loads nothing it need not.</summary>
public sealed class ImageGenerationErrorTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = (await ServerHarness.StartAsync()).WithImageModels();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("\"size\":\"500x512\"", "size")]
    [InlineData("\"size\":\"512x100\"", "size")]
    [InlineData("\"size\":\"big\"", "size")]
    [InlineData("\"size\":\"512\"", "size")]
    [InlineData("\"size\":\"-64x64\"", "size")]
    [InlineData("\"size\":\"0x0\"", "size")]
    [InlineData("\"size\":512", "size")]
    [InlineData("\"n\":0", "n")]
    [InlineData("\"n\":5", "n")]
    [InlineData("\"n\":\"two\"", "n")]
    [InlineData("\"response_format\":\"png\"", "response_format")]
    [InlineData("\"steps\":0", "steps")]
    [InlineData("\"steps\":101", "steps")]
    [InlineData("\"seed\":-1", "seed")]
    [InlineData("\"guidance_scale\":-1", "guidance_scale")]
    public async Task A_bad_field_is_refused_before_anything_loads(string field, string param)
    {
        using var response = await _server.PostAsync("/v1/images/generations", $$"""{"model":"{{ServerHarness.ImageModel}}","prompt":"a cat",{{field}}}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.Str("param"));
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Empty(_server.Launcher.Models);
    }

    [Theory]
    [InlineData("2048x512")]
    [InlineData("1024x1088")]
    public async Task A_size_outside_the_model_range_is_refused(string size)
    {
        using var response = await _server.PostAsync("/v1/images/generations", $$"""{"model":"{{ServerHarness.ImageModel}}","prompt":"a cat","size":"{{size}}"}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(("size", "invalid_value"), (error.Str("param"), error.Str("code")));
        Assert.Contains("64 to 1024", error.Str("message"));
        Assert.Empty(Assert.Single(_server.Launcher.Models).ImageRequests);
    }

    [Theory]
    [InlineData("{\"model\":\"test/sd\"}", "prompt")]
    [InlineData("{\"prompt\":\"a cat\"}", "model")]
    public async Task A_missing_field_is_named(string body, string param)
    {
        using var response = await _server.PostAsync("/v1/images/generations", body);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal((param, "missing_required_parameter"), (error.Str("param"), error.Str("code")));
    }

    [Theory]
    [InlineData(ServerHarness.ChatModel)]
    [InlineData(ServerHarness.Embedder)]
    [InlineData(ServerHarness.Reranker)]
    [InlineData(ServerHarness.Vision)]
    public async Task A_model_that_is_not_an_image_pipeline_is_refused(string model)
    {
        using var response = await _server.PostAsync("/v1/images/generations", $$"""{"model":"{{model}}","prompt":"a cat"}""");

        var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(("model", "model_not_supported"), (error.Str("param"), error.Str("code")));
        Assert.Contains("image_gen", error.Str("message"));
        Assert.Empty(_server.Launcher.Models);
    }

    [Fact]
    public async Task A_model_that_is_not_pulled_is_404()
    {
        using var response = await _server.PostAsync("/v1/images/generations", """{"model":"nobody/nothing","prompt":"a cat"}""");

        Assert.Equal("model_not_found", (await Wire.ErrorAsync(response, HttpStatusCode.NotFound)).Str("code"));
    }
}
