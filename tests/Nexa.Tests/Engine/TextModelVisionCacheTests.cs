using Nexa.Engine.Text;
using Nexa.Tests.Integration;
using SkiaSharp;

namespace Nexa.Tests.Engine;

/// <summary>Images in the prompt cache, failures and cancellation, through real llama.cpp and libmtmd.</summary>
public sealed class TextModelVisionCacheTests(TinyVisionModel vision) : IClassFixture<TinyVisionModel>
{
    private static readonly byte[] Blue = TinyVisionModel.SolidPng(50, 70, SKColors.Blue);
    private static readonly byte[] Green = TinyVisionModel.SolidPng(50, 70, SKColors.Green);

    private TextModel Model => vision.Model;

    [Fact]
    public async Task Follow_up_about_the_same_image_reuses_its_cache_and_does_not_encode_it_again()
    {
        List<ChatMessage> chat = [TinyVisionModel.UserWithImage("What is this?", Blue)];
        var first = await Generation.RunAsync(Model, TinyVisionModel.Ask(chat));
        chat.Add(new ChatMessage("assistant", first.Text));
        chat.Add(new ChatMessage("user", "And what else?"));
        using var prompt = Model.BuildPrompt(chat);
        var encodes = Model.ImageEncodes;

        var second = await Generation.RunAsync(Model, TinyVisionModel.Ask(chat));

        Assert.Equal(encodes, Model.ImageEncodes);
        Assert.True(second.Finished.CachedTokens >= prompt.Images[0].End,
            $"cached {second.Finished.CachedTokens} should cover the image, which ends at {prompt.Images[0].End}");
    }

    [Fact]
    public async Task A_changed_image_is_not_a_cache_hit()
    {
        var blue = await Generation.RunAsync(Model, TinyVisionModel.Ask([TinyVisionModel.UserWithImage("Tell me.", Blue)]));
        using var prompt = Model.BuildPrompt([TinyVisionModel.UserWithImage("Tell me.", Green)]);
        var encodes = Model.ImageEncodes;

        var green = await Generation.RunAsync(Model, TinyVisionModel.Ask([TinyVisionModel.UserWithImage("Tell me.", Green)]));

        Assert.Equal(encodes + 1, Model.ImageEncodes);
        Assert.Equal(blue.Finished.PromptTokens, green.Finished.PromptTokens);
        Assert.InRange(green.Finished.CachedTokens, 0, prompt.Images[0].Start);
    }

    [Fact]
    public async Task Same_request_again_encodes_nothing_and_answers_the_same()
    {
        var request = TinyVisionModel.Ask([TinyVisionModel.UserWithImage("Again?", Green)], seed: 3);
        var first = await Generation.RunAsync(Model, request);
        var encodes = Model.ImageEncodes;

        var second = await Generation.RunAsync(Model, request);

        Assert.Equal(encodes, Model.ImageEncodes);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Finished.PromptTokens - 1, second.Finished.CachedTokens);
    }

    [Fact]
    public async Task Cancelling_while_a_prompt_with_an_image_is_read_frees_the_slot()
    {
        // A long text before the image makes the prefill take many steps (batch 128), so the cancel lands mid-way.
        var message = new ChatMessage("user", new string('z', 700) + " what now?") { Images = [new ChatImage(Blue, 700)] };
        var request = TinyVisionModel.Ask([message], maxTokens: 200) with { IgnoreEos = true };
        using var cancel = new CancellationTokenSource();

        var run = Generation.RunAsync(Model, request, cancel.Token);
        await Poll.UntilAsync(() => Model.ActiveSlots == 1 || run.IsCompleted, "the request to take a slot", TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await Poll.UntilAsync(() => Model.ActiveSlots == 0, "the cancelled request to free its slot", TimeSpan.FromSeconds(10));
        var after = await Generation.RunAsync(Model, TinyVisionModel.Ask([TinyVisionModel.UserWithImage("Still there?", Blue)]));
        Assert.True(after.Finished.CompletionTokens > 0);
    }
}
