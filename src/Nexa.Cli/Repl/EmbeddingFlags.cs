using System.CommandLine;
using Nexa.Engine.Embeddings;

namespace Nexa.Cli.Repl;

/// <summary>The flags `nexa infer` takes for embedders (--task-type, with -p as inputs) and rerankers (-q, -d).</summary>
internal sealed class EmbeddingFlags
{
    public readonly Option<string?> TaskType = new("--task-type") { Description = "Embedders: default, search_query or search_document (the model's prefix for it, if any)" };
    public readonly Option<string?> Query = new("--query", "-q") { Description = "Rerankers: the query to rank documents against" };
    public readonly Option<string[]> Documents = new("--document", "-d") { Description = "Rerankers: a document to rank (repeatable)", AllowMultipleArgumentsPerToken = false };

    public EmbeddingFlags() => TaskType.AcceptOnlyFromAmong("default", "search_query", "search_document");

    public void AddTo(Command command)
    {
        command.Options.Add(TaskType);
        command.Options.Add(Query);
        command.Options.Add(Documents);
    }

    /// <summary>True when any of these flags was given (a chat model refuses them).</summary>
    public bool AnyGiven(ParseResult parsed) =>
        parsed.GetValue(TaskType) is not null || parsed.GetValue(Query) is not null || (parsed.GetValue(Documents)?.Length ?? 0) > 0;

    public EmbeddingTask Task(ParseResult parsed) => parsed.GetValue(TaskType) switch
    {
        "search_query" => EmbeddingTask.SearchQuery,
        "search_document" => EmbeddingTask.SearchDocument,
        _ => EmbeddingTask.Default,
    };
}
