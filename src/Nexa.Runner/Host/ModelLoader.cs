using Nexa.Engine.Text;

namespace Nexa.Runner.Host;

/// <summary>Loads the model a runner serves.</summary>
public static class ModelLoader
{
    /// <summary>
    /// The llama.cpp text engine. INTEGRATION POINT: when branch `engine` merges, this body becomes
    /// <c>await TextModel.LoadAsync(start.ModelPath, start.Options, ct)</c> (and the vision projector when there is one).
    /// </summary>
    public static Task<IChatModel> LoadRealModelAsync(RunnerStartInfo start, CancellationToken ct) =>
        throw new EngineException(EngineErrorKind.LoadFailed, "not supported yet: the llama.cpp text engine is not wired into the runner");
}
