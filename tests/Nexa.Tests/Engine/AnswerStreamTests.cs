using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class AnswerStreamTests(TinyTextModel tiny) : IClassFixture<TinyTextModel>
{
    [Fact]
    public void Characters_split_across_byte_tokens_come_out_whole()
    {
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(tiny.Path) { ContextSize = 256, LoadMode = LLamaLoadMode.MemoryMap });
        const string text = "héllo 你好 😀 done";
        var stream = new AnswerStream(weights, ["STOP"], startInThinking: false);
        var deltas = new List<GenerationEvent>();
        var pieces = new List<string>();

        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            stream.Add(TinyModels.ByteTokenId(b), deltas);
            pieces.AddRange(deltas.OfType<TextDelta>().Select(d => d.Text));
            deltas.Clear();
        }

        stream.Add(TinyModels.ImEndId, deltas);
        stream.Finish(deltas);
        pieces.AddRange(deltas.OfType<TextDelta>().Select(d => d.Text));

        Assert.Equal(text, string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Contains("你", pieces);
        Assert.Contains("😀", pieces);
    }
}
