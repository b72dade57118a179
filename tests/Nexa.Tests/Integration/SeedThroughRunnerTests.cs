namespace Nexa.Tests.Integration;

/// <summary>The seed reaches llama.cpp's sampler in the runner: same seed, same answer.</summary>
public sealed class SeedThroughRunnerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    [Fact]
    public async Task Same_seed_gives_the_same_text()
    {
        var first = await Answers.CompleteAsync(Server, Body(seed: 42));
        var second = await Answers.CompleteAsync(Server, Body(seed: 42));

        Assert.NotEmpty(first.Content);
        Assert.Equal(first.Content, second.Content);
        Assert.Equal(24, second.CompletionTokens);
    }

    [Fact]
    public async Task Different_seeds_give_different_text()
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        for (var seed = 1; seed <= 3; seed++)
            texts.Add((await Answers.CompleteAsync(Server, Body(seed))).Content);

        Assert.Equal(3, texts.Count);
    }

    [Fact]
    public async Task Temperature_zero_is_greedy_whatever_the_seed()
    {
        var first = await Answers.CompleteAsync(Server, Body(seed: 1, temperature: 0));
        var second = await Answers.CompleteAsync(Server, Body(seed: 2, temperature: 0));

        Assert.Equal(first.Content, second.Content);
    }

    private static string Body(int seed, int temperature = 1) =>
        RealServer.ChatBody("Tell me a story", $"\"max_tokens\":24,\"ignore_eos\":true,\"temperature\":{temperature},\"seed\":{seed}");
}
