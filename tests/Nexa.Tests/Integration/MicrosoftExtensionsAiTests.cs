using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Nexa.Tests.Integration;

/// <summary>
/// Microsoft.Extensions.AI (its OpenAI <see cref="IChatClient"/> and <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>)
/// against the server, unchanged: a system prompt alone answers text, plain and streamed, on the real tiny model; a
/// case variant and an alias resolve and are echoed; a typo is a 404 with the nearest name; embeddings under an alias
/// on the fake engine.
/// </summary>
public sealed class MicrosoftExtensionsAiTests(AliasedRealServerFixture real, AliasedFakeServerFixture fake)
    : IClassFixture<AliasedRealServerFixture>, IClassFixture<AliasedFakeServerFixture>
{
    private static readonly ChatMessage[] SystemOnly = [new(ChatRole.System, "Write a haiku about the sea.")];
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello!")];

    private static OpenAIClient OpenAi(Uri server) =>
        new(new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(server + "v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private IChatClient RealChat(string model) => OpenAi(real.Server.Server.BaseAddress).GetChatClient(model).AsIChatClient();

    // llama.cpp's ignore_eos travels as an extra field of the OpenAI request: random test weights must still say something.
    private static ChatOptions Options => new()
    {
        MaxOutputTokens = 8,
        Seed = 7,
        RawRepresentationFactory = _ =>
        {
            var options = new OpenAI.Chat.ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is how the OpenAI SDK sends a field it does not know.
            options.Patch.Set("$.ignore_eos"u8, true);
#pragma warning restore SCME0001
            return options;
        },
    };

    [Fact]
    public async Task A_system_prompt_alone_answers_text()
    {
        var response = await RealChat(RealServer.Model).GetResponseAsync(SystemOnly, Options);

        Assert.NotEmpty(response.Text);
        Assert.Equal(RealServer.Model, response.ModelId);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task A_system_prompt_alone_streams_text()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in RealChat(RealServer.Model).GetStreamingResponseAsync(SystemOnly, Options))
            updates.Add(update);

        Assert.NotEmpty(updates.ToChatResponse().Text);
        Assert.Contains(updates, u => u.FinishReason is not null);
    }

    [Theory]
    [InlineData("TINY/Chat")]
    [InlineData(StockClientNames.ChatAlias)]
    public async Task A_case_variant_and_an_alias_answer_under_the_name_sent(string model)
    {
        var response = await RealChat(model).GetResponseAsync(Hello, Options);

        Assert.NotEmpty(response.Text);
        Assert.Equal(model, response.ModelId);
    }

    [Fact]
    public async Task A_typo_is_404_with_the_nearest_pulled_name()
    {
        var chat = OpenAi(fake.Server.Server.BaseAddress).GetChatClient("test/chatt").AsIChatClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync(Hello));

        Assert.Equal(404, error.Status);
        Assert.Contains("did you mean 'test/chat'", error.Message);
    }

    // (The OpenAI .NET client refuses to send an empty input itself, so there is no "of nothing" here.)
    [Fact]
    public async Task Embeddings_under_an_alias()
    {
        var generator = OpenAi(fake.Server.Server.BaseAddress).GetEmbeddingClient(StockClientNames.EmbeddingAlias).AsIEmbeddingGenerator();

        var two = await generator.GenerateAsync(["Hello, world!", "Goodbye"]);

        Assert.Equal(2, two.Count);
        Assert.All(two, e => Assert.NotEqual(0, e.Vector.Length));
        Assert.All(two, e => Assert.Equal(StockClientNames.EmbeddingAlias, e.ModelId));
    }
}
