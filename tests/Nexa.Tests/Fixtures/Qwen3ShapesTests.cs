using Nexa.Engine.Text;
using Nexa.Tests.Engine;

namespace Nexa.Tests.Fixtures;

/// <summary>The benchmark's Qwen3-shaped writer, on a 2-block narrow shape through the very same code path.</summary>
public sealed class Qwen3ShapesTests
{
    [Fact]
    public async Task Tiny_qwen3_model_loads_in_llama_cpp_and_generates_past_eos()
    {
        NativeLog.EnsureConfigured();
        using var dir = new TempDir();
        var shape = Qwen3Shape.Tiny;
        await using var model = await TextModel.LoadAsync(Qwen3Shapes.Write(dir["qwen3.gguf"], shape),
            new EngineOptions { ContextSize = 256, Threads = 1, BatchSize = 64, UBatchSize = 64 }, CancellationToken.None);

        Assert.Equal("qwen3", model.Info.Architecture);
        Assert.Equal(shape.Vocabulary, model.Info.VocabularySize);
        Assert.Equal(shape.ContextLength, model.Info.TrainingContextSize);
        Assert.True(model.Info.HasChatTemplate);

        var generation = await Generation.RunAsync(model, TinyTextModel.Ask("hello", maxTokens: 8, temperature: 0) with { IgnoreEos = true });

        Assert.Equal(8, generation.Finished.CompletionTokens);
        Assert.Equal(FinishReason.Length, generation.Finished.Reason);
    }

    [Fact]
    public async Task Every_byte_of_text_is_one_token()
    {
        NativeLog.EnsureConfigured();
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(Qwen3Shapes.Write(dir["qwen3.gguf"], Qwen3Shape.Tiny),
            new EngineOptions { ContextSize = 256, Threads = 1, BatchSize = 64, UBatchSize = 64 }, CancellationToken.None);

        var empty = model.BuildPrompt([new ChatMessage("user", "")]).Tokens.Length;
        var text = model.BuildPrompt([new ChatMessage("user", "Tell me a long story.")]).Tokens.Length;

        Assert.Equal("Tell me a long story.".Length, text - empty);
    }

    [Fact]
    public async Task An_answer_sent_back_as_history_tokenizes_as_generated_so_the_next_turn_reuses_it_all()
    {
        NativeLog.EnsureConfigured();
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(Qwen3Shapes.Write(dir["qwen3.gguf"], Qwen3Shape.Tiny),
            new EngineOptions { ContextSize = 256, Threads = 1, BatchSize = 64, UBatchSize = 64 }, CancellationToken.None);
        var first = await Generation.RunAsync(model, TinyTextModel.Ask("hello", maxTokens: 12, temperature: 0) with { IgnoreEos = true });

        var next = TinyTextModel.Ask("more", maxTokens: 4, temperature: 0) with
        {
            Messages = [new ChatMessage("user", "hello"), new ChatMessage("assistant", first.Text), new ChatMessage("user", "more")],
        };
        var second = await Generation.RunAsync(model, next);

        // The first turn's prompt and its answer (all but the last token, sampled and never decoded) are reused.
        Assert.True(second.Finished.CachedTokens >= first.Finished.PromptTokens + first.Finished.CompletionTokens - 1,
            $"reused {second.Finished.CachedTokens} of {first.Finished.PromptTokens} + {first.Finished.CompletionTokens} tokens; answer '{first.Text}'");
    }
}
