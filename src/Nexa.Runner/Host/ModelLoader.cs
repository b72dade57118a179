using Nexa.Engine;
using Nexa.Engine.Text;

namespace Nexa.Runner.Host;

/// <summary>Loads the model a runner serves.</summary>
public static class ModelLoader
{
    /// <summary>The llama.cpp text engine; its log goes to the runner's stderr (which the server keeps) when verbose.</summary>
    public static async Task<ILoadedModel> LoadRealModelAsync(RunnerStartInfo start, CancellationToken ct)
    {
        NativeLogging.Configure(start.Verbose, Console.Error);
        // A vision model's projector is not loaded yet: its text side serves text chats, and the server answers
        // image parts with "not supported yet".
        return await TextModel.LoadAsync(start.ModelPath, start.Options, ct);
    }
}
