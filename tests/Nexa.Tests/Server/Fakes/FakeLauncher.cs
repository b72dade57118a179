using Nexa.Engine.Text;
using Nexa.Runner;

namespace Nexa.Tests.Server.Fakes;

/// <summary>
/// Launches <see cref="FakeChatModel"/>s in-process: counts launches, can hold or fail a load, and hands the models
/// their pace and their failures (each failure is used once).
/// </summary>
public sealed class FakeLauncher : IModelLauncher
{
    public enum FailAt
    {
        Start,
        AfterFirstToken,
    }

    private readonly Lock _lock = new();
    private readonly List<FakeChatModel> _models = [];
    private readonly Dictionary<FailAt, Exception> _failures = [];
    private Exception? _launchFailure;

    /// <summary>When set, every launch waits for it (to line up concurrent first requests).</summary>
    public TaskCompletionSource? LaunchGate { get; set; }

    /// <summary>Time each generated token takes.</summary>
    public TimeSpan TokenDelay { get; set; }

    public int Launches
    {
        get
        {
            lock (_lock)
                return _models.Count;
        }
    }

    public IReadOnlyList<FakeChatModel> Models
    {
        get
        {
            lock (_lock)
                return [.. _models];
        }
    }

    /// <summary>Models launched for the given model id (e.g. "test/chat"), oldest first.</summary>
    public IReadOnlyList<FakeChatModel> ModelsOf(string id) =>
        [.. Models.Where(m => m.Start.ModelPath.Contains(Path.Combine("models", id.Replace('/', Path.DirectorySeparatorChar)) + Path.DirectorySeparatorChar, StringComparison.Ordinal))];

    /// <summary>The next launch throws this.</summary>
    public void FailNextLaunch(Exception failure)
    {
        lock (_lock)
            _launchFailure = failure;
    }

    /// <summary>The next generation that reaches <paramref name="at"/> throws this.</summary>
    public void FailNextGeneration(Exception failure, FailAt at = FailAt.Start)
    {
        lock (_lock)
            _failures[at] = failure;
    }

    internal Exception? TakeFailure(FailAt at)
    {
        lock (_lock)
            return _failures.Remove(at, out var failure) ? failure : null;
    }

    public async Task<ILoadedModel> LaunchAsync(RunnerStartInfo start, CancellationToken ct)
    {
        if (LaunchGate is { } gate)
            await gate.Task.WaitAsync(ct);
        lock (_lock)
        {
            var failure = _launchFailure;
            _launchFailure = null;
            if (failure is not null)
                throw failure;
            var model = new FakeChatModel(this, start);
            _models.Add(model);
            return model;
        }
    }
}
