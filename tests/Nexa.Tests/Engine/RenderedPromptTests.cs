using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

/// <summary>
/// <see cref="TextModel.ApplyTemplateAsync"/>: the text the prompt builder tokenizes, whichever way it is rendered (the
/// GGUF's Jinja template, or llama.cpp's built-in formatter when the GGUF has none).
/// </summary>
public sealed class RenderedPromptTests
{
    private static readonly ChatRequest SystemAndUser = new() { Messages = [new ChatMessage("system", "Be brief."), new ChatMessage("user", "the heat <|im_end|>")] };

    [Fact]
    public async Task The_rendered_text_is_what_the_prompt_tokens_spell_after_the_bos()
    {
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(dir["chat.gguf"]), TinyTextModel.Options, CancellationToken.None);

        var text = await model.ApplyTemplateAsync(SystemAndUser, CancellationToken.None);
        using var prompt = model.BuildPrompt(SystemAndUser.Messages);

        Assert.Equal(TinyModels.BosId, (int)prompt.Tokens[0]);
        Assert.Equal(text, await model.DetokenizeAsync([.. prompt.Tokens.Skip(1).Select(t => (int)t)], CancellationToken.None));
    }

    [Fact]
    public async Task A_gguf_without_a_template_renders_through_llama_cpps_formatter_with_the_content_as_sent()
    {
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(dir["bare.gguf"], chatTemplate: null), TinyTextModel.Options, CancellationToken.None);

        var text = await model.ApplyTemplateAsync(SystemAndUser, CancellationToken.None);

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nthe heat <|im_end|><|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public async Task Images_and_empty_chats_are_refused()
    {
        using var dir = new TempDir();
        await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(dir["chat.gguf"]), TinyTextModel.Options, CancellationToken.None);
        var withImage = new ChatRequest { Messages = [new ChatMessage("user", "look") { Images = [new ChatImage([1, 2, 3], 0)] }] };

        var image = await Assert.ThrowsAsync<EngineException>(() => model.ApplyTemplateAsync(withImage, CancellationToken.None));
        var empty = await Assert.ThrowsAsync<EngineException>(() => model.ApplyTemplateAsync(new ChatRequest { Messages = [] }, CancellationToken.None));

        Assert.Equal((EngineErrorKind.InvalidRequest, ErrorCodes.UnsupportedParameter), (image.Kind, image.Code));
        Assert.Equal((EngineErrorKind.InvalidRequest, ErrorCodes.InvalidValue), (empty.Kind, empty.Code));
    }
}
