using Nexa.Engine.Text;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Runner;

/// <summary>Real runner child processes serving the fake engine (tests/Nexa.FakeRunner), cleaned up after each test.</summary>
public abstract class RunnerTestBase : IAsyncLifetime
{
    /// <summary>No step of a runner test may take longer: a hang fails the test instead of the run.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly List<IAsyncDisposable> _owned = [];

    protected TempDir Dir { get; } = new();

    protected RunnerLauncher Launcher { get; } = new(new RunnerLauncherOptions { RunnerCommandLine = FakeRunnerCommand.Line, LoadTimeout = Bound });

    /// <summary>A file the fake engine accepts as a model (it only checks the GGUF magic).</summary>
    protected string ModelPath
    {
        get
        {
            var path = Dir["fake.gguf"];
            if (!File.Exists(path))
                File.WriteAllBytes(path, "GGUF\u0003\0\0\0"u8.ToArray());
            return path;
        }
    }

    protected async Task<RunnerClient> LaunchAsync(EngineOptions? options = null, RunnerLauncher? launcher = null)
    {
        var start = new RunnerStartInfo(ModelPath, options ?? new EngineOptions { ContextSize = 1024 });
        var model = await (launcher ?? Launcher).LaunchAsync(start, CancellationToken.None).WaitAsync(Bound);
        _owned.Add(model);
        return Assert.IsType<RunnerClient>(model);
    }

    protected static ChatRequest Ask(string userText) => new() { Messages = [new ChatMessage("user", userText)] };

    protected static async Task<List<GenerationEvent>> CollectAsync(ILoadedModel model, ChatRequest request, CancellationToken ct = default)
    {
        var events = new List<GenerationEvent>();
        await foreach (var generationEvent in model.GenerateAsync(request, ct).WithCancellation(ct))
            events.Add(generationEvent);
        return events;
    }

    protected static string Text(IEnumerable<GenerationEvent> events) =>
        string.Concat(events.OfType<TextDelta>().Where(d => !d.IsReasoning).Select(d => d.Text));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
            await owned.DisposeAsync();
        Dir.Dispose();
    }
}
