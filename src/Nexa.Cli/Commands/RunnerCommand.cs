using System.CommandLine;
using Nexa.Engine.Text;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Runner.Fake;
using Nexa.Runner.Host;

namespace Nexa.Cli.Commands;

/// <summary>
/// <c>nexa runner</c>, hidden: the process the server starts for each loaded model (see RunnerLauncher). It loads the
/// model, serves it over gRPC on a Unix socket, and exits when its stdin closes or on SIGTERM.
/// </summary>
internal static class RunnerCommand
{
    public static Command Create(CliEnvironment env)
    {
        var model = new Option<string>("--model") { Description = "The GGUF file to load", Required = true };
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
        var fakeEngine = new Option<bool>("--fake-engine") { Description = "Serve a deterministic fake model instead of llama.cpp (tests)" };

        var command = new Command("runner", "Serve one model to nexa serve over gRPC on a Unix socket (internal)")
        {
            model, modelType, socket, mmproj, contextSize, batchSize, threads, parallel, gpuLayers, noPromptCache, fakeEngine,
        };
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
                Verbose = parsed.GetValue(NexaCli.Verbose),
            };
            var options = new RunnerHostOptions { Start = start, SocketPath = parsed.GetValue(socket)!, Error = env.Error };
            Func<RunnerStartInfo, CancellationToken, Task<ILoadedModel>> load = parsed.GetValue(fakeEngine) ? FakeChatModel.LoadAsync : ModelLoader.LoadRealModelAsync;
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
