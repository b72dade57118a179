using System.Security.Cryptography;
using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Pull;

/// <summary>A fake hub and an empty store per test; runs <c>nexa</c> against them.</summary>
public abstract class PullTestBase : IAsyncLifetime
{
    protected FakeHub Hub { get; private set; } = null!;
    protected TempDir Dir { get; } = new();
    protected ModelStore Store => new(Dir["data"]);
    protected Dictionary<string, string?> Variables { get; } = [];

    public async Task InitializeAsync()
    {
        Hub = await FakeHub.StartAsync();
        Variables["HF_ENDPOINT"] = Hub.Endpoint;
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Dir.Dispose();
    }

    protected Task<CliResult> Nexa(params string[] args) =>
        CliRunner.RunAsync(Variables, ["--data-dir", Dir["data"], .. args]);

    /// <summary>A tiny valid chat GGUF; different seeds give different bytes (and hashes).</summary>
    protected byte[] ChatModelBytes(int seed = 1, int embeddingLength = 0)
    {
        var path = Dir[$"src-{seed}-{embeddingLength}.gguf"];
        TinyModels.WriteChatModel(path, seed, embeddingLength: embeddingLength > 0 ? embeddingLength : 64);
        return File.ReadAllBytes(path);
    }

    protected string StoredFile(string model, string file) => Path.Combine(Store.ModelDir(ModelName.Parse(model)), file);

    protected static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    protected static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
