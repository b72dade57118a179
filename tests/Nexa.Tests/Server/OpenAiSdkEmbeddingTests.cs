using System.ClientModel;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Embeddings;

namespace Nexa.Tests.Server;

/// <summary>The official OpenAI .NET SDK's <see cref="EmbeddingClient"/>, pointed at our server, works unchanged (it asks for base64).</summary>
public sealed class OpenAiSdkEmbeddingTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(o => o with { ApiKey = "x" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private EmbeddingClient Client(string model = ServerHarness.SeedEmbedder) =>
        new(model, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });

    [Fact]
    public async Task Generate_one_embedding()
    {
        OpenAIEmbedding embedding = await Client().GenerateEmbeddingAsync("Hello, world!");

        Assert.Equal(0, embedding.Index);
        Assert.Equal(FakeChatModel.Embed("Hello, world!"), embedding.ToFloats().ToArray());
    }

    [Fact]
    public void Generate_one_embedding_synchronously()
    {
        OpenAIEmbedding embedding = Client().GenerateEmbedding("sync");

        Assert.Equal(FakeChatModel.Embed("sync"), embedding.ToFloats().ToArray());
    }

    [Fact]
    public async Task Generate_several_embeddings_in_order_with_usage()
    {
        string[] inputs = ["alpha", "beta gamma", "delta"];

        OpenAIEmbeddingCollection embeddings = await Client().GenerateEmbeddingsAsync(inputs);

        Assert.Equal([0, 1, 2], embeddings.Select(e => e.Index));
        for (var i = 0; i < inputs.Length; i++)
            Assert.Equal(FakeChatModel.Embed(inputs[i]), embeddings[i].ToFloats().ToArray());
        Assert.Equal(ServerHarness.SeedEmbedder, embeddings.Model);
        Assert.Equal(3 + 4 + 3, embeddings.Usage.InputTokenCount);
        Assert.Equal(embeddings.Usage.InputTokenCount, embeddings.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Generate_embeddings_with_fewer_dimensions()
    {
        OpenAIEmbedding embedding = await Client().GenerateEmbeddingAsync("Hello", new EmbeddingGenerationOptions { Dimensions = 4, EndUserId = "user-1" });

        Assert.Equal(FakeChatModel.Embed("Hello", 4), embedding.ToFloats().ToArray());
        Assert.Equal(4, _server.Launcher.Models.Single().EmbeddingRequests.Single().Dimensions);
    }

    [Fact]
    public async Task Generate_embeddings_of_token_ids()
    {
        ReadOnlyMemory<int>[] inputs = [new[] { 101, 7592, 102 }, new[] { 5 }];

        OpenAIEmbeddingCollection embeddings = await Client().GenerateEmbeddingsAsync(inputs);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal([[101, 7592, 102], [5]], _server.Launcher.Models.Single().EmbeddingRequests.Single().Inputs.Select(i => i.Tokens!.ToArray()));
    }

    [Fact]
    public async Task Errors_surface_as_sdk_exceptions_with_the_status()
    {
        var notPulled = await Assert.ThrowsAsync<ClientResultException>(() => Client("nobody/nothing").GenerateEmbeddingAsync("x"));
        Assert.Equal(404, notPulled.Status);

        var wrongType = await Assert.ThrowsAsync<ClientResultException>(() => Client(ServerHarness.ChatModel).GenerateEmbeddingAsync("x"));
        Assert.Equal(400, wrongType.Status);
        Assert.Contains("embedder", wrongType.Message);
    }
}
