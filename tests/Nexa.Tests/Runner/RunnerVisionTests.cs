using Nexa.Engine.Text;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.Tests.Engine;
using Nexa.Tests.Fixtures;
using SkiaSharp;

namespace Nexa.Tests.Runner;

/// <summary>A real runner process (real llama.cpp, not the fake engine) serving the tiny model with its vision projector.</summary>
public sealed class RunnerVisionTests : RunnerTestBase
{
    [Fact]
    public async Task Runner_with_a_projector_says_it_sees_and_answers_a_chat_with_images()
    {
        NativeLog.EnsureConfigured();
        var chat = TinyModels.WriteChatModel(Dir["chat.gguf"]);
        var projector = TinyVisionProjector.Write(Dir["mmproj.gguf"]);
        var start = new RunnerStartInfo(chat, TinyVisionModel.Options) { MMProjPath = projector };
        await using var runner = await new RunnerLauncher(new RunnerLauncherOptions { LoadTimeout = Bound }).LaunchAsync(start, CancellationToken.None).WaitAsync(Bound);
        await using var local = await TextModel.LoadAsync(chat, projector, TinyVisionModel.Options, CancellationToken.None);
        var message = new ChatMessage("user", "Which is brighter?")
        {
            Images = [new ChatImage(TinyVisionModel.SolidPng(20, 20, SKColors.White), 0), new ChatImage(TinyVisionModel.GradientPng(30, 10), 5)],
        };
        var request = TinyVisionModel.Ask([message]);

        var remote = await CollectAsync(runner, request).WaitAsync(Bound);
        var inProcess = await Generation.RunAsync(local, request);

        Assert.True(runner.Info.HasVision);
        var finished = Assert.IsType<GenerationFinished>(remote[^1]);
        // Both images crossed the wire in place: the runner's prompt is the one this process builds, and so is the answer.
        Assert.Equal(inProcess.Finished.PromptTokens, finished.PromptTokens);
        Assert.Equal(inProcess.Text, Text(remote));
    }
}
