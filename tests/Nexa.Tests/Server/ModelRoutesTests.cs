using System.Net;
using Nexa.Hub;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

public sealed class ModelRoutesTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Lists_the_pulled_models_as_openai_does()
    {
        // An unfinished pull (no manifest) is not a model.
        Directory.CreateDirectory(_server.Store.ModelDir(ModelName.Parse("test/half-pulled")));

        using var response = await _server.Http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Wire.JsonAsync(response);
        Assert.Equal("list", body.Str("object"));
        var models = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(
            ["djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF", "NexaAI/jina-v2-rerank-npu", "NexaAI/Qwen3-0.6B-GGUF", "test/alpha", "test/beta", "test/chat", "test/embed", "test/gamma", "test/rerank", "test/vision"],
            models.Select(m => m.Str("id")));
        var chat = models.Single(m => m.Str("id") == "test/chat");
        Assert.Equal("model", chat.Str("object"));
        Assert.Equal("test", chat.Str("owned_by"));
        var manifestTime = new DateTimeOffset(File.GetLastWriteTimeUtc(_server.Store.ManifestPath(ModelName.Parse("test/chat")))).ToUnixTimeSeconds();
        Assert.Equal(manifestTime, chat.GetProperty("created").GetInt64());
    }

    [Theory]
    [InlineData("/v1/models/test/chat", "test/chat")]
    [InlineData("/v1/models/test/chat:q4_0", "test/chat:Q4_0")]
    [InlineData("/v1/models/test%2Fchat", "test/chat")]
    [InlineData("/v1/models/NexaAI/Qwen3-0.6B-GGUF", "NexaAI/Qwen3-0.6B-GGUF")]
    public async Task Describes_one_pulled_model(string path, string id)
    {
        using var response = await _server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Wire.JsonAsync(response);
        Assert.Equal(id, body.Str("id"));
        Assert.Equal("model", body.Str("object"));
        Assert.Equal(id.Split('/')[0], body.Str("owned_by"));
    }

    [Theory]
    [InlineData("/v1/models/nobody/nothing")]
    [InlineData("/v1/models/test/chat:Q8_0")]
    [InlineData("/v1/models/..%2F..%2Fetc")]
    public async Task A_model_not_pulled_is_404(string path)
    {
        using var response = await _server.Http.GetAsync(path);

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
    }
}
