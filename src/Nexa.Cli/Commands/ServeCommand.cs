using System.CommandLine;
using System.Globalization;
using Nexa.Hub;
using Nexa.Runner.Client;
using Nexa.Server;

namespace Nexa.Cli.Commands;

/// <summary>`nexa serve`: the OpenAI-compatible server, with the original's flags and environment variables.</summary>
internal static class ServeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var host = new Option<string?>("--host") { Description = "host:port to listen on (env NEXA_HOST; default 127.0.0.1:18181)" };
        var origins = new Option<string?>("--origins") { Description = "CORS origins, \"*\" or a comma-separated list (env NEXA_ORIGINS; default \"*\")" };
        var keepAlive = new Option<int?>("--keepalive") { Description = "Seconds an idle model stays loaded (env NEXA_KEEPALIVE; default 300)" };
        var https = new Option<bool>("--https") { Description = "Serve HTTPS (needs --certfile and --keyfile)" };
        var certFile = new Option<string?>("--certfile") { Description = "TLS certificate (PEM)" };
        var keyFile = new Option<string?>("--keyfile") { Description = "TLS private key (PEM)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Require Authorization: Bearer <key> on /v1 routes (env NEXA_API_KEY)" };
        var parallel = new Option<int>("--parallel") { Description = "Requests per chat model decoded together (continuous batching)", DefaultValueFactory = _ => 4 };
        var contextSize = new Option<int>("--ctx-size") { Description = "Context tokens per request (prompt + answer); a chat model's KV cache holds ctx-size × parallel", DefaultValueFactory = _ => 4096 };
        var noPromptCache = new Option<bool>("--no-prompt-cache") { Description = "Decode every prompt in full instead of reusing the cached prefix of an earlier request" };
        var memoryBudget = new Option<string>("--memory-budget")
        {
            Description = "Memory the loaded models may take together (weights + KV cache + runner, estimated), e.g. 12GiB; the least recently used idle model unloads to make room; 'auto': 80% of this machine's memory; 'off': no budget",
            DefaultValueFactory = _ => "auto",
        };
        var threads = new Option<int>("--threads") { Description = "CPU threads per model (0: one per core)" };
        var maxModels = new Option<int?>("--max-models") { Description = "A cap on the models resident at once (default: none, the memory budget decides)" };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait per model before 503", DefaultValueFactory = _ => 64 };
        // Vision: what an image_url may reach. On loopback both are allowed anyway (the clients are this machine's users).
        var allowLocalFiles = new Option<bool>("--allow-local-files")
        {
            Description = "Read image_url paths and file:// URLs on this machine even when listening beyond loopback (off: 403)",
        };
        var allowPrivateUrls = new Option<bool>("--allow-private-urls")
        {
            Description = "Fetch image URLs that resolve to loopback/private addresses even when listening beyond loopback (off: 403)",
        };
        var aliases = new Option<string[]>("--alias")
        {
            Description = "NAME=org/repo[:QUANT]: serve a pulled model under a name clients send unchanged, e.g. gpt-4o-mini=NexaAI/Qwen3-0.6B-GGUF; repeatable (env NEXA_ALIASES, comma-separated; a flag wins over the variable for the same NAME)",
            AllowMultipleArgumentsPerToken = false,
        };
        var imageTtl = new Option<int>("--image-ttl") { Description = "Seconds an image answered as a URL stays downloadable", DefaultValueFactory = _ => 3600 };

        var command = new Command("serve", "Start the OpenAI-compatible server (default http://127.0.0.1:18181)")
        {
            host, origins, keepAlive, https, certFile, keyFile, apiKey, parallel, contextSize, threads, maxModels, queue, memoryBudget, noPromptCache,
            allowLocalFiles, allowPrivateUrls,
        };
        command.Options.Add(imageTtl);
        command.Options.Add(aliases);
        command.SetAction(async (parsed, ct) =>
        {
            var ctx = CommandContext.From(parsed, env);
            var options = new ServerOptions
            {
                DataDir = ctx.Store.DataDir,
                Host = parsed.GetValue(host) ?? NonEmpty(env.Variable("NEXA_HOST")) ?? "127.0.0.1:18181",
                Origins = parsed.GetValue(origins) ?? NonEmpty(env.Variable("NEXA_ORIGINS")) ?? "*",
                KeepAliveSeconds = parsed.GetValue(keepAlive) ?? ParseInt(env.Variable("NEXA_KEEPALIVE"), "NEXA_KEEPALIVE") ?? 300,
                Https = parsed.GetValue(https),
                CertFile = parsed.GetValue(certFile),
                KeyFile = parsed.GetValue(keyFile),
                ApiKey = parsed.GetValue(apiKey) ?? NonEmpty(env.Variable("NEXA_API_KEY")),
                Parallel = Check(parsed.GetValue(parallel), 1, 256, "--parallel"),
                ContextSize = Check(parsed.GetValue(contextSize), 64, 1 << 20, "--ctx-size"),
                Threads = Check(parsed.GetValue(threads), 0, 1024, "--threads"),
                MaxModels = parsed.GetValue(maxModels) is { } cap ? Check(cap, 1, 64, "--max-models") : null,
                QueueSize = Check(parsed.GetValue(queue), 0, 1 << 16, "--queue"),
                PromptCache = !parsed.GetValue(noPromptCache),
                MemoryBudgetBytes = MemoryBudget(parsed.GetValue(memoryBudget) ?? "auto"),
                ImageTtlSeconds = Check(parsed.GetValue(imageTtl), 1, 30 * 24 * 3600, "--image-ttl"),
                Verbose = ctx.Verbose,
                AllowLocalFiles = parsed.GetValue(allowLocalFiles),
                AllowPrivateUrls = parsed.GetValue(allowPrivateUrls),
                Aliases = Aliases(env.Variable("NEXA_ALIASES"), parsed.GetValue(aliases) ?? []),
            };
            if (options.Https && (options.CertFile is null || options.KeyFile is null))
                throw new CliException("--https needs --certfile and --keyfile", ExitCodes.Usage);

            NexaServer server;
            try
            {
                server = await NexaServer.StartAsync(options, new RunnerLauncher(), ct);
            }
            catch (ServerStartException e)
            {
                throw new CliException(e.Message);
            }
            await using var running = server;
            await env.Out.WriteLineAsync($"nexa serve: listening on {server.BaseAddress} (models in {ctx.Store.ModelsDir}); Ctrl-C stops");
            foreach (var warning in server.Warnings)
                await env.Error.WriteLineAsync($"warning: {warning}");
            await server.WaitForShutdownAsync(ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    // The variable's aliases first, then the flags: the resolver lets a later alias of the same name win.
    private static IReadOnlyList<ModelAlias> Aliases(string? variable, string[] flags)
    {
        try
        {
            return [.. ModelAlias.ParseList(variable), .. flags.Select(ModelAlias.Parse)];
        }
        catch (FormatException e)
        {
            throw new CliException($"--alias / NEXA_ALIASES: {e.Message}", ExitCodes.Usage);
        }
    }

    // "auto": 80% of what the runtime sees as this machine's (or container's) memory.
    private static long MemoryBudget(string value)
    {
        var text = value.Trim();
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return ServerOptions.AutoMemoryBudgetBytes();
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase) || text == "0")
            return 0;
        return Bytes.TryParse(text, out var bytes) && bytes > 0
            ? bytes
            : throw new CliException($"--memory-budget must be a size such as 12GiB or 800MB, 'auto' or 'off'; got '{value}'", ExitCodes.Usage);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int? ParseInt(string? value, string name) =>
        NonEmpty(value) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0 ? number
        : throw new CliException($"{name} must be a number of seconds, got '{text}'", ExitCodes.Usage);

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new CliException($"{name} must be between {min} and {max}", ExitCodes.Usage);
}
