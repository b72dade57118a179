using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Runner.Client;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Integration;

/// <summary>
/// The real <see cref="NexaServer"/> on 127.0.0.1 (port 0) with the real <see cref="RunnerLauncher"/> behind it: every
/// model runs in a <c>nexa runner</c> child process on llama.cpp. The store, in a temporary folder, holds the tiny
/// random-weight chat model and a broken copy of it (a GGUF cut in half).
/// </summary>
public sealed class RealServer : IAsyncDisposable
{
    /// <summary>The tiny chat model, as a client names it.</summary>
    public const string Model = "tiny/chat";

    /// <summary>The tiny model cut in half: its manifest is fine, llama.cpp refuses the file.</summary>
    public const string BrokenModel = "tiny/broken";

    /// <summary>
    /// A wider tiny model (embedding 512, 20 MB), only in stores that ask for it: on one thread it makes a few hundred
    /// tokens a second instead of thousands, so a long answer (ignore_eos, a 4096-token context) runs for tens of
    /// seconds and a test can act while it streams.
    /// </summary>
    public const string WideModel = "tiny/wide";

    /// <summary>A name nobody pulled.</summary>
    public const string MissingModel = "tiny/absent";

    /// <summary>The tiny chat model with a tiny LLaVA-style projector beside it (model type vlm).</summary>
    public const string VisionModel = "tiny/vision";

    /// <summary>A random-weight Qwen3-architecture model with Qwen3's real tokenizer and chat template (Hermes tool calls).</summary>
    public const string ToolModel = "tiny/qwen3-tools";

    /// <summary>No single step of an integration test may take longer: a hang fails the test, not the run.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string Quant = "F32";

    private readonly TempDir _dir;

    private RealServer(TempDir dir, ModelStore store, NexaServer server, string modelPath, string? wideModelPath)
    {
        _dir = dir;
        Store = store;
        Server = server;
        ModelPath = modelPath;
        WideModelPath = wideModelPath;
        Http = NewClient();
    }

    public ModelStore Store { get; }
    public NexaServer Server { get; }
    public HttpClient Http { get; }

    /// <summary>The GGUF the runners of <see cref="Model"/> load.</summary>
    public string ModelPath { get; }

    /// <summary>The GGUF of <see cref="WideModel"/>, when the store has it.</summary>
    public string? WideModelPath { get; }

    public string DataDir => Store.DataDir;

    /// <summary>A path in the server's temporary folder (deleted with it), outside the store.</summary>
    public string TempPath(string relative) => _dir[relative];

    /// <summary>host:port, as NEXA_HOST takes it.</summary>
    public string HostAndPort => Server.BaseAddress.Authority;

    /// <summary>How /health names the loaded tiny model.</summary>
    public static string LoadedKey => $"{Model}:{Quant}";

    public static async Task<RealServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, bool withWideModel = false, bool withVisionModel = false, bool withToolModel = false)
    {
        var dir = new TempDir();
        try
        {
            var store = new ModelStore(dir["data"]);
            var modelPath = AddModel(store, Model, TinyModels.WriteChatModel(dir["chat.gguf"]));
            var whole = await File.ReadAllBytesAsync(modelPath);
            await File.WriteAllBytesAsync(dir["broken.gguf"], whole[..(whole.Length / 2)]);
            AddModel(store, BrokenModel, dir["broken.gguf"]);
            var widePath = withWideModel ? AddModel(store, WideModel, TinyModels.WriteChatModel(dir["wide.gguf"], embeddingLength: 512)) : null;
            if (withVisionModel)
                AddModel(store, VisionModel, TinyModels.WriteChatModel(dir["vision.gguf"]), TinyVisionProjector.Write(dir["mmproj.gguf"]));
            if (withToolModel)
                AddModel(store, ToolModel, RealVocabularies.WriteQwen3Model(dir["qwen3-tools.gguf"]));

            var options = new ServerOptions { Host = "127.0.0.1:0", DataDir = store.DataDir, ContextSize = 512, Threads = 1 };
            options = configure?.Invoke(options) ?? options;
            var server = await NexaServer.StartAsync(options, new RunnerLauncher(), CancellationToken.None).WaitAsync(Bound);
            return new RealServer(dir, store, server, modelPath, widePath);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>Moves <paramref name="gguf"/> into the store under <paramref name="id"/> as <c>nexa pull</c> leaves a model.</summary>
    internal static string AddModel(ModelStore store, string id, string gguf, string? projector = null, string? modelType = null)
    {
        var name = ModelName.Parse(id);
        var dir = store.ModelDir(name);
        Directory.CreateDirectory(dir);
        var file = $"{name.Repo}-{Quant}.gguf";
        File.Move(gguf, Path.Combine(dir, file));
        var size = new FileInfo(Path.Combine(dir, file)).Length;
        var mmproj = ModelFileInfo.None;
        if (projector is not null)
        {
            File.Move(projector, Path.Combine(dir, "mmproj-F32.gguf"));
            mmproj = new ModelFileInfo { Name = "mmproj-F32.gguf", Downloaded = true, Size = new FileInfo(Path.Combine(dir, "mmproj-F32.gguf")).Length };
        }
        store.WriteManifest(name, new ModelManifest
        {
            Name = id,
            ModelName = name.Repo,
            ModelType = modelType ?? (projector is null ? ModelTypes.Llm : ModelTypes.Vlm),
            ModelFile = new Dictionary<string, ModelFileInfo>(StringComparer.OrdinalIgnoreCase)
            {
                [Quant] = new() { Name = file, Downloaded = true, Size = size },
            },
            MMProjFile = mmproj,
        });
        return Path.Combine(dir, file);
    }

    public HttpClient NewClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = Bound };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>A chat body for <see cref="Model"/> with one user message; <paramref name="extra"/> is more JSON members.</summary>
    public static string ChatBody(string content = "Hello!", string extra = "", string model = Model) =>
        $$"""{"model":{{JsonSerializer.Serialize(model)}},"messages":[{"role":"user","content":{{JsonSerializer.Serialize(content)}}}]{{(extra.Length > 0 ? "," + extra : "")}}}""";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public Task<HttpResponseMessage> PostChatAsync(string json, CancellationToken ct = default) =>
        Http.PostAsync("/v1/chat/completions", Json(json), ct);

    /// <summary>Sends a chat request and returns as soon as the headers are in, leaving the body to be read.</summary>
    public Task<HttpResponseMessage> SendChatAsync(string json, CancellationToken ct = default) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(json) },
            HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>The models /health says are loaded.</summary>
    public async Task<List<string>> LoadedModelsAsync()
    {
        using var response = await Http.GetAsync("/health");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetString()!)];
    }

    /// <summary>Ids of the live runner processes serving the tiny model (or the one at <paramref name="modelPath"/>).</summary>
    public IReadOnlyList<int> RunnerPids(string? modelPath = null) => RunnerProcesses.Serving(modelPath ?? ModelPath);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await Server.DisposeAsync().AsTask().WaitAsync(Bound);
            // Disposing the server unloads every model: no runner of ours may outlive it.
            await Poll.UntilAsync(() => RunnerProcesses.Under(DataDir).Count == 0, "the runners to exit after the server stopped");
        }
        finally
        {
            // Whatever failed above, leave no process and no files behind.
            foreach (var pid in RunnerProcesses.Under(DataDir))
                RunnerProcesses.Kill(pid);
            _dir.Dispose();
        }
    }
}

/// <summary>One <see cref="RealServer"/> shared by the tests of a class; override <see cref="Configure"/> for other options.</summary>
public class RealServerFixture : IAsyncLifetime
{
    public RealServer Server { get; private set; } = null!;

    protected virtual ServerOptions Configure(ServerOptions options) => options;

    protected virtual bool WithWideModel => false;

    protected virtual bool WithVisionModel => false;

    protected virtual bool WithToolModel => false;

    public async Task InitializeAsync() => Server = await RealServer.StartAsync(Configure, WithWideModel, WithVisionModel, WithToolModel);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
