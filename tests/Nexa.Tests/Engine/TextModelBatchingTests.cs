using System.Diagnostics;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

/// <summary>Continuous batching: four sequence slots in one context, checked against a one-slot model without a prompt cache.</summary>
public sealed class TextModelBatchingTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private TextModel _batched = null!;
    private TextModel _alone = null!;

    public async Task InitializeAsync()
    {
        NativeLog.EnsureConfigured();
        var path = TinyModels.WriteChatModel(_dir["wide.gguf"], embeddingLength: 256);
        var options = new EngineOptions { ContextSize = 4096, Threads = 1, BatchSize = 256, UBatchSize = 256 };
        _batched = await TextModel.LoadAsync(path, options with { Parallel = 4 }, CancellationToken.None);
        _alone = await TextModel.LoadAsync(path, options with { PromptCache = false }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _batched.DisposeAsync();
        await _alone.DisposeAsync();
        _dir.Dispose();
    }

    // Greedy (temperature 0) throughout: which sequences share a step changes the KV view's length and the batch's
    // shape, hence the order of float sums, so logits differ in the last bits and a sampled answer (temperature > 0)
    // can drift from the one-by-one answer after some tokens; the greedy choice does not move.
    [Fact]
    public async Task Four_concurrent_requests_give_the_same_text_as_one_by_one()
    {
        var requests = Enumerable.Range(0, 4)
            .Select(i => TinyTextModel.Ask($"Question number {i} {new string('x', i * 40)}", seed: (uint)(10 + i), maxTokens: 24 + (i * 8), temperature: 0) with { IgnoreEos = true })
            .ToList();

        var together = await Task.WhenAll(requests.Select(r => Task.Run(() => Generation.RunAsync(_batched, r))));

        for (var i = 0; i < requests.Count; i++)
        {
            var alone = await Generation.RunAsync(_alone, requests[i]);
            Assert.Equal(alone.Text, together[i].Text);
            Assert.Equal(alone.Finished.CompletionTokens, together[i].Finished.CompletionTokens);
        }
    }

    [Fact]
    public async Task Cancelling_one_stream_does_not_disturb_the_others()
    {
        var requests = Enumerable.Range(0, 3).Select(i => TinyTextModel.Ask($"Keep going {i}", seed: (uint)(20 + i), maxTokens: 40, temperature: 0) with { IgnoreEos = true }).ToList();
        using var cts = new CancellationTokenSource();
        var cancelled = Task.Run(async () =>
        {
            var received = 0;
            await foreach (var e in _batched.GenerateAsync(TinyTextModel.Ask("Go on forever", maxTokens: null) with { IgnoreEos = true }, cts.Token))
            {
                if (e is TextDelta && ++received == 5)
                {
                    await cts.CancelAsync();
                }
            }
        });
        var others = requests.Select(r => Task.Run(() => Generation.RunAsync(_batched, r))).ToList();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var results = await Task.WhenAll(others);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal((await Generation.RunAsync(_alone, requests[i])).Text, results[i].Text);
            Assert.Equal(40, results[i].Finished.CompletionTokens);
        }
    }

    [Fact]
    public async Task More_requests_than_slots_wait_in_order_and_all_finish()
    {
        // Four running requests free their slots 40 tokens apart; the two queued ones take them in queue order.
        var running = Enumerable.Range(0, 4)
            .Select(i => Generation.RunAsync(_batched, TinyTextModel.Ask($"Busy {i}", maxTokens: 40 * (i + 1)) with { IgnoreEos = true }))
            .ToList();
        await WaitUntil(() => _batched.ActiveSlots == 4);
        var firstQueued = FirstTokenAt(TinyTextModel.Ask("Queued first", maxTokens: 8) with { IgnoreEos = true });
        await WaitUntil(() => _batched.QueuedJobs == 1);
        var secondQueued = FirstTokenAt(TinyTextModel.Ask("Queued second", maxTokens: 8) with { IgnoreEos = true });
        await WaitUntil(() => _batched.QueuedJobs == 2);

        Assert.Equal(4, _batched.ActiveSlots);
        await Task.WhenAll(running);
        Assert.True(await firstQueued < await secondQueued, "the request queued first started second");
        await WaitUntil(() => _batched.ActiveSlots == 0 && _batched.QueuedJobs == 0);
    }

    [Fact]
    public async Task Fifty_requests_with_random_cancellations_leave_no_busy_slot()
    {
        var random = new Random(1234);
        var tasks = Enumerable.Range(0, 50).Select(i =>
        {
            var cancelAfter = random.Next(0, 3) == 0 ? TimeSpan.FromMilliseconds(random.Next(0, 300)) : Timeout.InfiniteTimeSpan;
            var request = TinyTextModel.Ask($"Request {i}", seed: (uint)i, maxTokens: random.Next(1, 48)) with { IgnoreEos = i % 2 == 0 };
            return Task.Run(async () =>
            {
                using var cts = new CancellationTokenSource(cancelAfter);
                try
                {
                    return (await Generation.RunAsync(_batched, request, cts.Token)).Finished.CompletionTokens <= request.MaxTokens;
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
            });
        }).ToList();

        Assert.All(await Task.WhenAll(tasks), Assert.True);
        await WaitUntil(() => _batched.ActiveSlots == 0 && _batched.QueuedJobs == 0);
        var next = await Generation.RunAsync(_batched, TinyTextModel.Ask("After the storm", maxTokens: 4) with { IgnoreEos = true });
        Assert.Equal(4, next.Finished.CompletionTokens);
    }

    [Fact]
    public async Task Each_request_may_use_its_slots_share_of_the_context()
    {
        Assert.Equal(1024, _batched.SlotContextSize);
        var tooLong = TinyTextModel.Ask(new string('z', 1100), maxTokens: 1);
        Assert.InRange(_batched.BuildPrompt(tooLong.Messages).Tokens.Length, 1025, 4000);

        var error = await Assert.ThrowsAsync<EngineException>(() => Generation.RunAsync(_batched, tooLong));

        Assert.Equal(EngineErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Contains("each of the 4 parallel slots holds 1024", error.Message);
        Assert.Equal(1, (await Generation.RunAsync(_alone, tooLong)).Finished.CompletionTokens);
    }

    [Fact]
    public async Task Next_turn_reuses_the_cached_prompt_and_answers_the_same()
    {
        // Greedy: decoding only the prompt's tail gives logits a few bits off a whole-prompt decode (see above).
        const float temperature = 0;
        var first = await Generation.RunAsync(_batched, TinyTextModel.Ask("Hello there", seed: 5, maxTokens: 12, temperature: temperature));
        var next = TinyTextModel.Ask("And then?", seed: 6, maxTokens: 24, temperature: temperature) with
        {
            Messages = [new ChatMessage("user", "Hello there"), new ChatMessage("assistant", first.Text), new ChatMessage("user", "And then?")],
            IgnoreEos = true,
        };

        var cached = await Generation.RunAsync(_batched, next);
        var uncached = await Generation.RunAsync(_alone, next);

        Assert.Equal(0, uncached.Finished.CachedTokens);
        Assert.InRange(cached.Finished.CachedTokens, first.Finished.PromptTokens - 1, cached.Finished.PromptTokens - 1);
        Assert.Equal(uncached.Text, cached.Text);
    }

    [Fact]
    public async Task Running_out_of_kv_cache_ends_the_youngest_requests_and_the_rest_finish()
    {
        var path = TinyModels.WriteChatModel(_dir["small.gguf"], embeddingLength: 256);
        await using var model = await TextModel.LoadAsync(path,
            new EngineOptions { ContextSize = 256, Threads = 1, BatchSize = 64, UBatchSize = 64, Parallel = 4 }, CancellationToken.None);
        // Let every request ask for the whole context: four of them need ~4x the cells there are.
        model.SlotContextSize = model.Info.ContextSize;
        var requests = Enumerable.Range(0, 4).Select(i => TinyTextModel.Ask($"Fill {i}", seed: (uint)i, maxTokens: 200) with { IgnoreEos = true });

        var outcomes = await Task.WhenAll(requests.Select(r => Task.Run(() => RunAsync(r))));

        var finished = outcomes.Where(o => o.Error is null).ToList();
        var ended = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.NotEmpty(finished);
        Assert.All(finished, o => Assert.Equal(200, o.Tokens));
        Assert.NotEmpty(ended);
        Assert.All(ended, e => Assert.Equal("kv_cache_full", e.Code));
        await WaitUntil(() => model.ActiveSlots == 0 && model.QueuedJobs == 0);
        Assert.Equal(8, (await Generation.RunAsync(model, TinyTextModel.Ask("Still alive", maxTokens: 8) with { IgnoreEos = true })).Finished.CompletionTokens);

        async Task<(int Tokens, EngineException? Error)> RunAsync(ChatRequest request)
        {
            try
            {
                return ((await Generation.RunAsync(model, request)).Finished.CompletionTokens, null);
            }
            catch (EngineException e)
            {
                return (0, e);
            }
        }
    }

    [Theory]
    [InlineData(300, 512)]
    [InlineData(8, 4)]
    public async Task Parallel_beyond_what_llama_cpp_holds_fails_to_load(int parallel, int batchSize)
    {
        var path = TinyModels.WriteChatModel(_dir["bad.gguf"]);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(path,
            new EngineOptions { ContextSize = 4096, Threads = 1, BatchSize = batchSize, UBatchSize = batchSize, Parallel = parallel }, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains($"parallel ({parallel})", error.Message);
    }

    private async Task<long> FirstTokenAt(ChatRequest request)
    {
        await foreach (var e in _batched.GenerateAsync(request, CancellationToken.None))
        {
            if (e is TextDelta)
            {
                return Stopwatch.GetTimestamp();
            }
        }

        return long.MaxValue;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for the scheduler");
            await Task.Delay(5);
        }
    }
}
