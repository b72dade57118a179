using Nexa.Engine.Text;

namespace Nexa.Runner;

/// <summary>What the server needs to start a model: its files and how to load it.</summary>
public sealed record RunnerStartInfo(string ModelPath, EngineOptions Options)
{
    /// <summary>The manifest's model type (<c>Nexa.Hub.Store.ModelTypes</c>: llm, vlm, embedder, reranker): which engine the runner loads.</summary>
    public string ModelType { get; init; } = "llm";

    /// <summary>The vision projector beside a VLM's weights (null for text-only models).</summary>
    public string? MMProjPath { get; init; }

    /// <summary>Route llama.cpp's log to the runner's stderr (shown with -v).</summary>
    public bool Verbose { get; init; }
}

/// <summary>Starts a loaded model somewhere: in a runner process (the product) or in-process (tests of routing).</summary>
public interface IModelLauncher
{
    /// <summary>Returns once the model is loaded and answers; throws <see cref="EngineException"/> (LoadFailed) with llama.cpp's reason.</summary>
    Task<ILoadedModel> LaunchAsync(RunnerStartInfo start, CancellationToken ct);
}
