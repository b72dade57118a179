using System.CommandLine;
using Nexa.Engine.Text;
using Nexa.Hub.Store;

namespace Nexa.Runner.Host;

/// <summary>
/// The <c>runner</c> command: the arguments <c>RunnerLauncher</c> passes (<c>--model … --socket …</c>) turned into a
/// <see cref="RunnerStartInfo"/> and a running <see cref="RunnerHost"/>. The product's <c>nexa runner</c> serves the
/// real engine with it; a test executable serves a fake engine through the very same command line.
/// </summary>
public static class RunnerCommandLine
{
    /// <param name="error">Where load and listen failures are written (the server keeps a runner's last lines).</param>
    /// <param name="load">Loads the model the arguments name.</param>
    /// <param name="verbose">The caller's <c>--verbose</c> option when it is global (nexa's); null: the command has its own.</param>
    public static Command Create(TextWriter error, Func<RunnerStartInfo, CancellationToken, Task<ILoadedModel>> load, Option<bool>? verbose = null)
    {
        var model = new Option<string>("--model") { Description = "The model file to load", Required = true };
        var modelType = new Option<string>("--model-type") { Description = "The model's type (which engine serves it)", DefaultValueFactory = _ => ModelTypes.Llm };
        modelType.AcceptOnlyFromAmong([.. ModelTypes.All]);
        var socket = new Option<string>("--socket") { Description = "The Unix socket to serve on", Required = true };
        var mmproj = new Option<string?>("--mmproj") { Description = "The vision projector (GGUF) of a vision model" };
        var contextSize = Positive(new Option<int>("--ctx-size") { Description = "Tokens of KV cache", DefaultValueFactory = _ => 4096 });
        var batchSize = Positive(new Option<int>("--batch-size") { Description = "Tokens per decode batch", DefaultValueFactory = _ => 512 });
        var threads = NotNegative(new Option<int>("--threads") { Description = "CPU threads (0: one per core)" });
        var parallel = Positive(new Option<int>("--parallel") { Description = "Concurrent sequences", DefaultValueFactory = _ => 1 });
        var gpuLayers = NotNegative(new Option<int>("--gpu-layers") { Description = "Layers to offload to a GPU" });
        var noPromptCache = new Option<bool>("--no-prompt-cache") { Description = "Decode every prompt in full (no reuse of cached prefixes)" };

        var command = new Command("runner", "Serve one model to nexa serve over gRPC on a Unix socket (internal)")
        {
            model, modelType, socket, mmproj, contextSize, batchSize, threads, parallel, gpuLayers, noPromptCache,
        };
        if (verbose is null)
        {
            verbose = new Option<bool>("--verbose", "-v") { Description = "Show the engine's log" };
            command.Add(verbose);
        }
        command.Hidden = true;
        command.SetAction(async (parsed, ct) =>
        {
            var start = new RunnerStartInfo(parsed.GetValue(model)!, new EngineOptions
            {
                ContextSize = parsed.GetValue(contextSize),
                BatchSize = parsed.GetValue(batchSize),
                Threads = parsed.GetValue(threads),
                Parallel = parsed.GetValue(parallel),
                GpuLayers = parsed.GetValue(gpuLayers),
                PromptCache = !parsed.GetValue(noPromptCache),
            })
            {
                ModelType = parsed.GetValue(modelType)!,
                MMProjPath = parsed.GetValue(mmproj),
                Verbose = parsed.GetValue(verbose),
            };
            var options = new RunnerHostOptions { Start = start, SocketPath = parsed.GetValue(socket)!, Error = error };
            return await RunnerHost.RunAsync(options, load, ct);
        });
        return command;
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
                result.AddError($"{option.Name} must be a positive number");
        });
        return option;
    }

    private static Option<int> NotNegative(Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError($"{option.Name} must not be negative");
        });
        return option;
    }
}
