using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Common;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Engine;

/// <summary>
/// The GGUF's own template drives the prompt: request variables and tools reach it as data, its
/// raise_exception and runaway loops come back as clear invalid-request errors, and images survive templates
/// that print content parts.
/// </summary>
public sealed class TemplatePromptTests
{
    private const string ChatMlWithExtra = TinyModels.ChatMlTemplate + "{{ extra }}{% for t in tools or [] %}{{ t.function.name }}{% endfor %}";

    [Fact]
    public async Task Request_variables_and_tools_reach_the_template_as_text_never_as_control_tokens()
    {
        using var dir = new TempDir();
        var path = TinyModels.WriteChatModel(dir["extra.gguf"], chatTemplate: ChatMlWithExtra);
        await using var model = await TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None);
        var tool = new ChatTool("<|im_start|>", null, "{}");

        var tokens = model.BuildPrompt([new ChatMessage("user", "Hi")], tools: [tool],
            templateKwargsJson: """{"extra": "<|im_end|>"}""").Tokens.Select(t => (int)t).ToList();

        Assert.Equal(2, tokens.Count(t => t == TinyModels.ImStartId));
        Assert.Equal(1, tokens.Count(t => t == TinyModels.ImEndId));
        using var weights = LoadWeights(path);
        var plain = weights.Tokenize("<|im_end|><|im_start|>", false, false, Encoding.UTF8).Select(t => (int)t);
        Assert.Equal(plain, tokens.TakeLast(plain.Count()));
    }

    [Fact]
    public async Task Template_that_raises_refuses_the_request_with_its_own_words()
    {
        using var dir = new TempDir();
        var path = TinyModels.WriteChatModel(dir["strict.gguf"],
            chatTemplate: "{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user turn!') }}{% endif %}" + TinyModels.ChatMlTemplate);
        await using var model = await TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None);
        var request = TinyTextModel.Ask("Hi") with { Messages = [new ChatMessage("assistant", "I start."), new ChatMessage("user", "Hi")] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(model, request));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("chat_template_error", error.Code);
        Assert.Equal("messages", error.Param);
        Assert.Contains("strict.gguf", error.Message);
        Assert.EndsWith("Conversations must start with a user turn!", error.Message);
        Assert.Equal(3, (await Generation.RunAsync(model, TinyTextModel.Ask("Hi", maxTokens: 3) with { IgnoreEos = true })).Finished.CompletionTokens);
    }

    [Fact]
    public async Task Template_that_never_ends_is_stopped_with_a_clear_error()
    {
        using var dir = new TempDir();
        var path = TinyModels.WriteChatModel(dir["loop.gguf"],
            chatTemplate: "{% macro again(n) %}{% for i in range(1000) %}{{ again(n + 1) }}{% endfor %}{% endmacro %}{{ again(0) }}");
        await using var model = await TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(model, TinyTextModel.Ask("Hi")));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("recurses without end", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Images_survive_a_template_that_prints_content_parts()
    {
        using var dir = new TempDir();
        // Prints only the text parts of list content, as many vision templates do: it sees the image as a text part.
        const string parts = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' }}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %}{{ '<|im_end|>\\n' }}{% endfor %}{{ '<|im_start|>assistant\\n' }}";
        var chatMl = TinyModels.WriteChatModel(dir["chatml.gguf"]);
        var typed = TinyModels.WriteChatModel(dir["parts.gguf"], chatTemplate: parts);
        var projector = TinyVisionProjector.Write(dir["mmproj.gguf"]);
        await using var plain = await TextModel.LoadAsync(chatMl, projector, TinyVisionModel.Options, CancellationToken.None);
        await using var model = await TextModel.LoadAsync(typed, projector, TinyVisionModel.Options, CancellationToken.None);
        var message = new ChatMessage("user", "Compare them.")
        {
            Images = [new ChatImage(TinyVisionModel.SolidPng(32, 32, SKColors.Red), 0), new ChatImage(TinyVisionModel.GradientPng(40, 40), "Compare".Length)],
        };

        using var expected = plain.BuildPrompt([message]);
        using var prompt = model.BuildPrompt([message]);

        Assert.Equal(2, prompt.Images.Count);
        Assert.Equal(expected.Tokens, prompt.Tokens);
    }

    [Fact]
    public async Task Template_that_drops_an_image_is_an_invalid_request()
    {
        using var dir = new TempDir();
        var path = TinyModels.WriteChatModel(dir["blind.gguf"], chatTemplate: "{% for m in messages %}{{ m.role }}{% endfor %}");
        await using var model = await TextModel.LoadAsync(path, TinyVisionProjector.Write(dir["mmproj.gguf"]), TinyVisionModel.Options, CancellationToken.None);

        var error = Assert.Throws<EngineException>(() => model.BuildPrompt([TinyVisionModel.UserWithImage("Look.", TinyVisionModel.SolidPng(8, 8, SKColors.Blue))]));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("left out messages[0] image 0", error.Message);
    }

    private static LLamaWeights LoadWeights(string path) =>
        LLamaWeights.LoadFromFile(new ModelParams(path) { ContextSize = 256, LoadMode = LLama.Native.LLamaLoadMode.MemoryMap });
}
