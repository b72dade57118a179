using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Engine;

/// <summary>Vision chat through real llama.cpp and libmtmd: the tiny chat model with the tiny LLaVA-style projector.</summary>
public sealed class TextModelVisionTests(TinyVisionModel vision) : IClassFixture<TinyVisionModel>
{
    private const int ImageTokens = TinyVisionProjector.TokensPerImage;

    private static readonly byte[] Red = TinyVisionModel.SolidPng(64, 48, SKColors.Red);
    private static readonly byte[] Gradient = TinyVisionModel.GradientPng(40, 40);

    private TextModel Model => vision.Model;

    [Fact]
    public void Model_with_a_projector_says_it_can_see()
    {
        Assert.True(Model.Info.HasVision);
    }

    [Fact]
    public async Task One_image_chat_is_deterministic_for_a_seed()
    {
        var messages = new[] { TinyVisionModel.UserWithImage("What is in this picture?", Red) };

        var first = await Generation.RunAsync(Model, TinyVisionModel.Ask(messages));
        var second = await Generation.RunAsync(Model, TinyVisionModel.Ask(messages));

        Assert.NotEmpty(first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Finished.CompletionTokens, second.Finished.CompletionTokens);
        var textOnly = Model.BuildPrompt([new ChatMessage("user", "What is in this picture?")]).Tokens.Length;
        // The image is its patches' worth of positions, plus whatever tokens mtmd wraps around it for this model.
        using var prompt = Model.BuildPrompt(messages);
        var image = Assert.Single(prompt.Images);
        Assert.Equal(ImageTokens, image.Positions);
        Assert.Equal(textOnly + ImageTokens + image.Before.Length + image.After.Length, first.Finished.PromptTokens);
    }

    [Fact]
    public void A_different_image_makes_a_different_prompt_of_the_same_length()
    {
        using var red = Model.BuildPrompt([TinyVisionModel.UserWithImage("Describe it.", Red)]);
        using var gradient = Model.BuildPrompt([TinyVisionModel.UserWithImage("Describe it.", Gradient)]);
        using var redAgain = Model.BuildPrompt([TinyVisionModel.UserWithImage("Describe it.", Red)]);

        Assert.Equal(red.Tokens.Length, gradient.Tokens.Length);
        Assert.NotEqual(red.Tokens, gradient.Tokens);
        Assert.Equal(red.Tokens, redAgain.Tokens);
    }

    [Fact]
    public async Task Two_images_in_one_message_take_two_images_worth_of_prompt()
    {
        var none = await Generation.RunAsync(Model, TinyVisionModel.Ask([new ChatMessage("user", "Compare them.")]));
        var one = await Generation.RunAsync(Model, TinyVisionModel.Ask([TinyVisionModel.UserWithImage("Compare them.", Red)]));
        var message = new ChatMessage("user", "Compare them.")
        {
            Images = [new ChatImage(Red, 0), new ChatImage(Gradient, "Compare".Length)],
        };

        var two = await Generation.RunAsync(Model, TinyVisionModel.Ask([message]));

        var perImage = one.Finished.PromptTokens - none.Finished.PromptTokens;
        Assert.InRange(perImage, ImageTokens, ImageTokens + 4);
        Assert.Equal(one.Finished.PromptTokens + perImage, two.Finished.PromptTokens);
        using var prompt = Model.BuildPrompt([message]);
        Assert.Equal(2, prompt.Images.Count);
        Assert.True(prompt.Images[0].End < prompt.Images[1].Start, "the second image sits after the first, inside the text");
    }

    [Fact]
    public async Task Image_in_the_first_turn_is_still_seen_when_the_question_comes_in_the_second()
    {
        var messages = new List<ChatMessage>
        {
            TinyVisionModel.UserWithImage("Here is a picture.", Gradient),
            new("assistant", "I see it."),
            new("user", "What colour is on the left?"),
        };

        var answer = await Generation.RunAsync(Model, TinyVisionModel.Ask(messages));

        using var prompt = Model.BuildPrompt(messages);
        var image = Assert.Single(prompt.Images);
        Assert.True(image.Start < prompt.Tokens.Length / 2, "the image keeps its place in the first turn");
        Assert.Equal(prompt.Tokens.Length, answer.Finished.PromptTokens);
        Assert.True(answer.Finished.CompletionTokens > 0);
    }

    [Fact]
    public void Marker_text_typed_by_a_user_never_becomes_an_image()
    {
        var marker = LLama.Native.NativeApi.MtmdDefaultMarker()!;
        var message = new ChatMessage("user", $"{marker} and <image> and {marker}") { Images = [new ChatImage(Red, 0)] };

        using var withOne = Model.BuildPrompt([message]);
        using var withNone = Model.BuildPrompt([new ChatMessage("user", $"{marker} what is this {marker}")]);

        Assert.Single(withOne.Images);
        Assert.Equal(ImageTokens, withOne.Tokens.Count(t => (int)t < 0));
        Assert.Empty(withNone.Images);
        Assert.DoesNotContain(withNone.Tokens, t => (int)t < 0);
    }

    [Fact]
    public async Task Undecodable_image_bytes_are_an_invalid_request()
    {
        var message = new ChatMessage("user", "What is it?") { Images = [new ChatImage("not an image at all"u8.ToArray(), 0)] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(Model, TinyVisionModel.Ask([message])));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("messages", error.Param);
        Assert.Equal("invalid_image", error.Code);
        Assert.Contains("messages[0]", error.Message);
    }

    [Fact]
    public async Task Undecodable_image_bytes_name_the_part_the_server_gave()
    {
        const string part = "messages[0].content[1].image_url.url";
        var message = new ChatMessage("user", "What is it?") { Images = [new ChatImage("not an image at all"u8.ToArray(), 0) { Param = part }] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(Model, TinyVisionModel.Ask([message])));

        Assert.Equal((part, "invalid_image"), (error.Param, error.Code));
        Assert.Contains(part, error.Message);
    }

    [Fact]
    public async Task Image_outside_its_message_text_is_an_invalid_request()
    {
        var message = new ChatMessage("user", "short") { Images = [new ChatImage(Red, 99)] };

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(Model, TinyVisionModel.Ask([message])));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("messages", error.Param);
    }
}
