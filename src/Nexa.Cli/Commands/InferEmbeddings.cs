using System.CommandLine;
using Nexa.Cli.Repl;
using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Hub.Store;

namespace Nexa.Cli.Commands;

/// <summary>`nexa infer` for embedders (-p inputs, or a line at a time) and rerankers (-q query, -d documents).</summary>
internal static class InferEmbeddings
{
    /// <summary>Checks the flags against the model's type first (nothing is loaded for a usage error), then loads and runs.</summary>
    public static async Task<int> RunAsync(
        ParseResult parsed, CommandContext ctx, ChatFlags chat, EmbeddingFlags flags, string model, string path, EngineOptions options, string modelType, CancellationToken ct)
    {
        var prompts = parsed.GetValue(chat.Prompt) ?? [];
        var query = parsed.GetValue(flags.Query);
        var documents = parsed.GetValue(flags.Documents) ?? [];
        if (modelType == ModelTypes.Embedder)
        {
            if (query is not null || documents.Length > 0)
                throw new CliException($"{model} is an embedder: give its inputs with -p (-q and -d are for rerankers)", ExitCodes.Usage);
        }
        else
        {
            if (prompts.Length > 0 || parsed.GetValue(flags.TaskType) is not null)
                throw new CliException($"{model} is a reranker: give the query with -q and the documents with -d (-p and --task-type are for embedders)", ExitCodes.Usage);
            if (string.IsNullOrEmpty(query) || documents.Length == 0)
                throw new CliException($"{model} is a reranker: it needs a query (-q) and at least one document (-d)", ExitCodes.Usage);
        }

        NativeLogging.Configure(ctx.Verbose, ctx.Env.Error);
        await ctx.Env.Error.WriteLineAsync($"loading {model}…");
        IEmbeddingBackend backend;
        try
        {
            backend = await LocalEmbeddingBackend.LoadAsync(path, options, modelType, ct);
        }
        catch (EngineException e)
        {
            throw new CliException(e.Message);
        }
        await using (backend)
        {
            try
            {
                if (modelType == ModelTypes.Reranker)
                    return await new RerankerMode(backend, ctx.Env).RunAsync(query!, documents, ct);
                var embedder = new EmbedderMode(backend, ctx.Env, flags.Task(parsed));
                return prompts.Length > 0 ? await embedder.RunInputsAsync(prompts, ct) : await embedder.RunInteractiveAsync(ct);
            }
            catch (EngineException e) when (e.Kind == EngineErrorKind.InvalidRequest)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
        }
    }
}
