namespace Nexa.Server.Pipeline;

/// <summary>What every route's validated job tells <see cref="ModelPipeline"/>: the model it names and what it needs.</summary>
internal interface IModelJob
{
    /// <summary>The model string as the client wrote it (echoed back in the answer).</summary>
    string Model { get; }

    /// <summary>What the model must be able to do.</summary>
    ModelNeed Need { get; }

    /// <summary>The original's warm-up convention: load the model and answer <c>null</c>.</summary>
    bool IsWarmUp { get; }
}

/// <summary>The kinds of work a route asks of a model; <c>ModelCatalog.EnsureCan</c> matches them to model types.</summary>
internal enum ModelTask
{
    Chat,
    Embeddings,
    Rerank,
    ImageGeneration,

    /// <summary>Text ↔ tokens with a chat model's vocabulary (<c>/tokenize</c>, <c>/detokenize</c>).</summary>
    Tokenize,

    /// <summary>A chat rendered by a chat model's template (<c>/apply-template</c>).</summary>
    ApplyTemplate,
}

/// <param name="Task">The kind of work.</param>
/// <param name="FirstImageParam">A chat's first image part (<c>messages[1].content[2].image_url.url</c>): the model must see images.</param>
internal sealed record ModelNeed(ModelTask Task, string? FirstImageParam = null);
