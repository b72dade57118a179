using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class TextModelGenerationTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    [Fact]
    public async Task Loaded_model_reports_its_info()
    {
        var info = tiny.Model.Info;

        Assert.Equal(tiny.Path, info.Path);
        Assert.Equal("llama", info.Architecture);
        Assert.Equal(TinyTextModel.Options.ContextSize, info.ContextSize);
        Assert.Equal(TinyModels.ContextLength, info.TrainingContextSize);
        Assert.Equal(TinyModels.VocabSize, info.VocabularySize);
        Assert.True(info.HasChatTemplate);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Generates_text_deltas_then_exactly_one_finish()
    {
        var generation = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", maxTokens: 24) with { IgnoreEos = true });

        Assert.NotEmpty(generation.Deltas);
        Assert.All(generation.Deltas, d => Assert.NotEmpty(d.Text));
        Assert.Equal(generation.Deltas.Count + 1, generation.EventCount);
        var finished = generation.Finished;
        Assert.Equal(FinishReason.Length, finished.Reason);
        Assert.Equal(24, finished.CompletionTokens);
        Assert.Equal(tiny.Model.BuildPrompt(TinyTextModel.Ask("Hello").Messages).Tokens.Length, finished.PromptTokens);
        Assert.InRange(finished.TimeToFirstToken, TimeSpan.Zero, finished.Elapsed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Max_tokens_is_honoured(int maxTokens)
    {
        var generation = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 3, maxTokens: maxTokens));

        Assert.InRange(generation.Finished.CompletionTokens, 0, maxTokens);
        if (generation.Finished.CompletionTokens == maxTokens)
        {
            Assert.Equal(FinishReason.Length, generation.Finished.Reason);
        }
    }

    [Fact]
    public async Task Same_seed_gives_same_text()
    {
        var first = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Tell me a story", seed: 42, maxTokens: 32));
        var second = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Tell me a story", seed: 42, maxTokens: 32));

        Assert.NotEmpty(first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Finished.CompletionTokens, second.Finished.CompletionTokens);
    }

    [Fact]
    public async Task Different_seeds_give_different_text()
    {
        var texts = new HashSet<string>();
        for (uint seed = 1; seed <= 3; seed++)
        {
            texts.Add((await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Tell me a story", seed, maxTokens: 32) with { IgnoreEos = true })).Text);
        }

        Assert.Equal(3, texts.Count);
    }

    [Fact]
    public async Task Temperature_zero_is_greedy_whatever_the_seed()
    {
        var first = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi", seed: 1, maxTokens: 16, temperature: 0));
        var second = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi", seed: 2, maxTokens: 16, temperature: 0));

        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task Ignore_eos_generates_until_max_tokens()
    {
        for (uint seed = 0; seed < 4; seed++)
        {
            var generation = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi", seed, maxTokens: 120) with { IgnoreEos = true });

            Assert.Equal(FinishReason.Length, generation.Finished.Reason);
            Assert.Equal(120, generation.Finished.CompletionTokens);
        }
    }

    [Fact]
    public async Task Logit_bias_steers_sampling()
    {
        var request = TinyTextModel.Ask("Hi", maxTokens: 8) with
        {
            IgnoreEos = true,
            Sampling = new SamplingOptions { Seed = 5, LogitBias = new Dictionary<int, float> { [TinyModels.ByteTokenId((byte)'A')] = 100 } },
        };

        var generation = await Generation.RunAsync(tiny.Model, request);

        Assert.Equal("AAAAAAAA", generation.Text);
    }
}
