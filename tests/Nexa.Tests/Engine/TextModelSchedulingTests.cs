using System.Diagnostics;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class TextModelSchedulingTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private TextModel _model = null!;

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        // Wider than the shared tiny model, so a long answer takes long enough to be cancelled halfway.
        var path = TinyModels.WriteChatModel(_dir["wide.gguf"], embeddingLength: 256);
        _model = await TextModel.LoadAsync(path, new EngineOptions { ContextSize = 4096, Threads = 1, BatchSize = 256, UBatchSize = 256 }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Eight_concurrent_requests_all_finish_like_they_do_alone()
    {
        var requests = Enumerable.Range(0, 8).Select(i => TinyTextModel.Ask($"Question {i}", seed: (uint)i, maxTokens: 12)).ToList();

        var together = await Task.WhenAll(requests.Select(r => Task.Run(() => Generation.RunAsync(_model, r))));
        var alone = new List<Generation>();
        foreach (var request in requests)
        {
            alone.Add(await Generation.RunAsync(_model, request));
        }

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(1, together[i].FinishCount);
            Assert.InRange(together[i].Finished.CompletionTokens, 0, 12);
            Assert.Equal(alone[i].Text, together[i].Text);
            Assert.Equal(alone[i].Finished.Reason, together[i].Finished.Reason);
            Assert.Equal(alone[i].Finished.CompletionTokens, together[i].Finished.CompletionTokens);
        }
    }

    [Fact]
    public async Task Cancelling_mid_stream_frees_the_model_for_the_next_request()
    {
        using var cts = new CancellationTokenSource();
        var endless = TinyTextModel.Ask("Go on forever", maxTokens: null) with { IgnoreEos = true };
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in _model.GenerateAsync(endless, cts.Token))
            {
                if (e is TextDelta && ++received == 5)
                {
                    await cts.CancelAsync();
                }
            }
        });
        var next = await Generation.RunAsync(_model, TinyTextModel.Ask("Hello", maxTokens: 4) with { IgnoreEos = true });

        Assert.Equal(4, next.Finished.CompletionTokens);
        // The cancelled answer had ~4000 tokens to go (seconds of decoding); the next one waited at most one step.
        Assert.True(next.Finished.TimeToFirstToken < TimeSpan.FromSeconds(1), $"waited {next.Finished.TimeToFirstToken}");
    }

    [Fact]
    public async Task Leaving_the_stream_early_frees_the_model_for_the_next_request()
    {
        var endless = TinyTextModel.Ask("Go on forever", maxTokens: null) with { IgnoreEos = true };
        await foreach (var e in _model.GenerateAsync(endless, CancellationToken.None))
        {
            if (e is TextDelta)
            {
                break;
            }
        }

        var next = await Generation.RunAsync(_model, TinyTextModel.Ask("Hello", maxTokens: 4) with { IgnoreEos = true });

        Assert.Equal(4, next.Finished.CompletionTokens);
        Assert.True(next.Finished.TimeToFirstToken < TimeSpan.FromSeconds(1), $"waited {next.Finished.TimeToFirstToken}");
    }

    [Fact]
    public async Task Request_cancelled_while_queued_never_runs()
    {
        var running = Generation.RunAsync(_model, TinyTextModel.Ask("First", maxTokens: 64) with { IgnoreEos = true });
        using var cts = new CancellationTokenSource();
        var queued = Generation.RunAsync(_model, TinyTextModel.Ask("Second", maxTokens: 64), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Equal(64, (await running).Finished.CompletionTokens);
    }

    [Fact]
    public async Task Unloading_ends_running_and_waiting_requests_with_an_error()
    {
        var path = TinyModels.WriteChatModel(_dir["other.gguf"], embeddingLength: 256);
        var model = await TextModel.LoadAsync(path, new EngineOptions { ContextSize = 4096, Threads = 1 }, CancellationToken.None);
        var endless = TinyTextModel.Ask("Go on forever", maxTokens: null) with { IgnoreEos = true };
        var running = Generation.RunAsync(model, endless);
        var waiting = Generation.RunAsync(model, endless);

        await Task.Delay(100);
        var clock = Stopwatch.StartNew();
        await model.DisposeAsync();
        clock.Stop();

        var error = await Assert.ThrowsAsync<EngineException>(() => running);
        Assert.Equal(EngineErrorKind.Internal, error.Kind);
        Assert.Equal(EngineErrorKind.Internal, (await Assert.ThrowsAsync<EngineException>(() => waiting)).Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"unload took {clock.Elapsed}");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Generation.RunAsync(model, TinyTextModel.Ask("late")));
    }
}
