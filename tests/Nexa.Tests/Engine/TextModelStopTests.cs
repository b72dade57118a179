using System.Globalization;
using Nexa.Engine.Text;

namespace Nexa.Tests.Engine;

public sealed class TextModelStopTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    [Fact]
    public async Task Stop_string_ends_the_answer_and_is_not_in_it()
    {
        var free = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 11, maxTokens: 48) with { IgnoreEos = true });
        var delta = free.Deltas.Skip(4).First(d => d.Text.Length > 0);
        var stop = delta.Text;

        var stopped = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 11, maxTokens: 48, stop: [stop]) with { IgnoreEos = true });

        Assert.Equal(FinishReason.Stop, stopped.Finished.Reason);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.DoesNotContain(stop, stopped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_string_spanning_a_token_boundary_ends_the_answer_and_is_not_in_it()
    {
        var free = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 12, maxTokens: 48) with { IgnoreEos = true });
        var (stop, boundary) = SpanningTwoDeltas(free.Deltas);
        Assert.Equal(boundary, free.Text.IndexOf(stop, StringComparison.Ordinal));

        var stopped = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 12, maxTokens: 48, stop: ["never-generated", stop]) with { IgnoreEos = true });

        Assert.Equal(FinishReason.Stop, stopped.Finished.Reason);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.All(stopped.Deltas, d => Assert.DoesNotContain(stop, d.Text, StringComparison.Ordinal));
        Assert.True(stopped.Finished.CompletionTokens < free.Finished.CompletionTokens);
    }

    [Fact]
    public async Task Stop_string_that_never_comes_changes_nothing()
    {
        var free = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 13, maxTokens: 24) with { IgnoreEos = true });

        var withStop = await Generation.RunAsync(tiny.Model, TinyTextModel.Ask("Hello", seed: 13, maxTokens: 24, stop: ["never-generated"]) with { IgnoreEos = true });

        Assert.Equal(free.Text, withStop.Text);
        Assert.Equal(FinishReason.Length, withStop.Finished.Reason);
    }

    /// <summary>
    /// The last character of one delta and the first of the next (whole characters, never half a pair): each delta
    /// of a run without stop strings is one token's text, so this string spans two tokens. Also returns where it starts.
    /// </summary>
    private static (string Stop, int Index) SpanningTwoDeltas(IReadOnlyList<TextDelta> deltas)
    {
        var offset = 0;
        for (var i = 0; i + 1 < deltas.Count; i++)
        {
            offset += deltas[i].Text.Length;
            var before = new StringInfo(deltas[i].Text);
            var after = new StringInfo(deltas[i + 1].Text);
            if (i >= 3 && before.LengthInTextElements > 0 && after.LengthInTextElements > 0)
            {
                var last = before.SubstringByTextElements(before.LengthInTextElements - 1);
                return (last + after.SubstringByTextElements(0, 1), offset - last.Length);
            }
        }

        throw new InvalidOperationException("no two neighbouring deltas to span");
    }
}
