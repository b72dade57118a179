using System.Net.Http.Headers;
using System.Text;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Server;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// The real <see cref="NexaServer"/> on 127.0.0.1 (port 0) over a real store in a temporary folder, with a
/// <see cref="FakeLauncher"/> behind it and a plain <see cref="HttpClient"/> in front.
/// </summary>
public sealed class ServerHarness : IAsyncDisposable
{
    /// <summary>A text model with Q4_0 downloaded and Q8_0 listed but not downloaded.</summary>
    public const string ChatModel = "test/chat";

    /// <summary>The model the seed's REST documentation uses.</summary>
    public const string SeedModel = "NexaAI/Qwen3-0.6B-GGUF";

    public const string Embedder = "test/embed";
    public const string Reranker = "test/rerank";

    /// <summary>The embedder and the reranker the seed's REST documentation uses.</summary>
    public const string SeedEmbedder = "djuna/jina-embeddings-v2-small-en-Q5_K_M-GGUF";
    public const string SeedReranker = "NexaAI/jina-v2-rerank-npu";

    public const string Vision = "test/vision";

    /// <summary>An image generation pipeline (model_index.json is its model file), and the one the seed request names.</summary>
    public const string ImageModel = "test/sd";
    public const string SeedImageModel = "stabilityai/sdxl-turbo";
    public static readonly string[] Others = ["test/alpha", "test/beta", "test/gamma"];

    private readonly TempDir _dir;

    private ServerHarness(TempDir dir, ModelStore store, FakeLauncher launcher, NexaServer server)
    {
        _dir = dir;
        Store = store;
        Launcher = launcher;
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ModelStore Store { get; }
    public FakeLauncher Launcher { get; }
    public NexaServer Server { get; }
    public HttpClient Http { get; }

    public static async Task<ServerHarness> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, TimeProvider? time = null)
    {
        var dir = new TempDir();
        var store = new ModelStore(dir.Path);
        AddModel(store, ChatModel, ModelTypes.Llm, ("Q4_0", true), ("Q8_0", false));
        AddModel(store, SeedModel, ModelTypes.Llm, ("Q4_0", true), ("Q8_0", true));
        AddModel(store, Embedder, ModelTypes.Embedder, ("Q8_0", true));
        AddModel(store, Reranker, ModelTypes.Reranker, ("Q8_0", true));
        AddModel(store, SeedEmbedder, ModelTypes.Embedder, ("Q5_K_M", true));
        AddModel(store, SeedReranker, ModelTypes.Reranker, ("Q4_0", true));
        AddModel(store, Vision, ModelTypes.Vlm, ("Q4_K_M", true));
        foreach (var other in Others)
            AddModel(store, other, ModelTypes.Llm, ("Q4_0", true));

        var options = new ServerOptions { Host = "127.0.0.1:0", DataDir = dir.Path, ContextSize = 1024, Threads = 2 };
        options = configure?.Invoke(options) ?? options;
        var launcher = new FakeLauncher();
        var server = await NexaServer.StartAsync(options, launcher, time ?? TimeProvider.System, CancellationToken.None);
        return new ServerHarness(dir, store, launcher, server);
    }

    /// <summary>Writes a pulled model as `nexa pull` leaves it: dummy GGUF files, then the manifest.</summary>
    public static void AddModel(ModelStore store, string id, string type, params (string Quant, bool Downloaded)[] quants)
    {
        var name = ModelName.Parse(id);
        var dir = store.ModelDir(name);
        Directory.CreateDirectory(dir);
        var files = new Dictionary<string, ModelFileInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var (quant, downloaded) in quants)
        {
            var file = $"{name.Repo}-{quant}.gguf";
            if (downloaded)
                File.WriteAllBytes(Path.Combine(dir, file), "GGUF"u8.ToArray());
            files[quant] = new ModelFileInfo { Name = file, Downloaded = downloaded, Size = downloaded ? 4 : 1000 };
        }
        var mmproj = ModelFileInfo.None;
        if (type == ModelTypes.Vlm)
        {
            File.WriteAllBytes(Path.Combine(dir, "mmproj.gguf"), "GGUF"u8.ToArray());
            mmproj = new ModelFileInfo { Name = "mmproj.gguf", Downloaded = true, Size = 4 };
        }
        store.WriteManifest(name, new ModelManifest { Name = id, ModelName = name.Repo, ModelType = type, ModelFile = files, MMProjFile = mmproj });
    }

    /// <summary>Adds <see cref="ImageModel"/> and <see cref="SeedImageModel"/> to the running server's store (requests find them at once).</summary>
    public ServerHarness WithImageModels()
    {
        AddImageModel(Store, ImageModel);
        AddImageModel(Store, SeedImageModel);
        return this;
    }

    /// <summary>Writes a pulled image pipeline as `nexa pull` leaves it: model_index.json as the ONNX "quant", a stand-in UNet beside it.</summary>
    public static void AddImageModel(ModelStore store, string id)
    {
        var name = ModelName.Parse(id);
        var dir = store.ModelDir(name);
        Directory.CreateDirectory(Path.Combine(dir, "unet"));
        File.WriteAllText(Path.Combine(dir, "model_index.json"), FakeHubImagePipeline.ModelIndex);
        File.WriteAllBytes(Path.Combine(dir, "unet", "model.onnx"), [1, 2, 3]);
        store.WriteManifest(name, new ModelManifest
        {
            Name = id,
            ModelName = "StableDiffusionXLPipeline",
            ModelType = ModelTypes.ImageGen,
            ModelFile = new(StringComparer.OrdinalIgnoreCase) { ["ONNX"] = new ModelFileInfo { Name = "model_index.json", Downloaded = true, Size = FakeHubImagePipeline.ModelIndex.Length } },
            ExtraFiles = [new ModelFileInfo { Name = "unet/model.onnx", Downloaded = true, Size = 3 }],
        });
    }

    public static string ChatBody(string model = ChatModel, string content = "Hello there", string extra = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{content}}"}]{{(extra.Length > 0 ? "," + extra : "")}}}""";

    public Task<HttpResponseMessage> PostChatAsync(string json, CancellationToken ct = default) =>
        PostAsync("/v1/chat/completions", json, ct);

    public Task<HttpResponseMessage> PostAsync(string path, string json, CancellationToken ct = default) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), ct);

    /// <summary>Sends a chat request and returns as soon as the headers are in, leaving the body to be read.</summary>
    public Task<HttpResponseMessage> SendChatAsync(string json, CancellationToken ct = default) =>
        Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, ct);

    public HttpClient NewClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
