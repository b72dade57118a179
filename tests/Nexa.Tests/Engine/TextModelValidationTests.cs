using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class TextModelValidationTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    [Fact]
    public async Task Prompt_longer_than_the_context_is_refused_with_context_length_exceeded()
    {
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(dir["chat.gguf"]),
            new EngineOptions { ContextSize = 64, Threads = 1 }, CancellationToken.None);
        // llama.cpp rounds a context up to a multiple of 256; the prompt is longer than what it really holds.
        Assert.Equal(256, model.Info.ContextSize);

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(model, TinyTextModel.Ask(new string('x', 400))));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("messages", error.Param);
        Assert.Contains($"the prompt has {model.BuildPrompt(TinyTextModel.Ask(new string('x', 400)).Messages).Tokens.Length} tokens", error.Message);
        Assert.Contains($"the context holds {model.Info.ContextSize}", error.Message);
    }

    [Fact]
    public async Task Answer_is_cut_with_length_where_the_context_ends()
    {
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(dir["chat.gguf"]),
            new EngineOptions { ContextSize = 64, Threads = 1 }, CancellationToken.None);

        var generation = await Generation.RunAsync(model, TinyTextModel.Ask("Hi", maxTokens: 1000) with { IgnoreEos = true });

        Assert.Equal(FinishReason.Length, generation.Finished.Reason);
        Assert.Equal(model.Info.ContextSize, generation.Finished.PromptTokens + generation.Finished.CompletionTokens);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(TinyModels.ImEndId + 100)]
    public async Task Logit_bias_for_a_token_outside_the_vocabulary_is_refused(int token)
    {
        var request = TinyTextModel.Ask("Hi") with { Sampling = new SamplingOptions { LogitBias = new Dictionary<int, float> { [token] = 5 } } };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, request));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("logit_bias", error.Param);
    }

    public static TheoryData<SamplingOptions, string> OutOfRange => new()
    {
        { new SamplingOptions { Temperature = 2.5f }, "temperature" },
        { new SamplingOptions { Temperature = float.NaN }, "temperature" },
        { new SamplingOptions { TopP = 1.5f }, "top_p" },
        { new SamplingOptions { TopK = -1 }, "top_k" },
        { new SamplingOptions { MinP = -0.1f }, "min_p" },
        { new SamplingOptions { RepetitionPenalty = 0 }, "repetition_penalty" },
        { new SamplingOptions { PresencePenalty = 3 }, "presence_penalty" },
        { new SamplingOptions { FrequencyPenalty = -3 }, "frequency_penalty" },
        { new SamplingOptions { LogitBias = new Dictionary<int, float> { [5] = 150 } }, "logit_bias" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task Sampling_setting_out_of_range_is_refused_naming_it(SamplingOptions sampling, string param)
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi") with { Sampling = sampling }));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public async Task Max_tokens_below_one_is_refused()
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi", maxTokens: 0)));

        Assert.Equal("max_tokens", error.Param);
    }

    [Fact]
    public async Task Unknown_role_or_no_messages_is_refused()
    {
        var robot = TinyTextModel.Ask("Hi") with { Messages = [new ChatMessage("robot", "beep")] };
        var empty = TinyTextModel.Ask("Hi") with { Messages = [] };

        var first = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, robot));
        var second = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, empty));

        Assert.Equal(("messages", EngineErrorKind.InvalidRequest), (first.Param, first.Kind));
        Assert.Equal(("messages", EngineErrorKind.InvalidRequest), (second.Param, second.Kind));
    }

    [Fact]
    public async Task Refused_request_leaves_the_model_serving()
    {
        await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi") with { Sampling = new SamplingOptions { TopP = 9 } }));

        var generation = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hi", maxTokens: 3) with { IgnoreEos = true });

        Assert.Equal(3, generation.Finished.CompletionTokens);
    }
}
