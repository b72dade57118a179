using Nexa.Engine.Text;
using Nexa.Runner.Protos;

namespace Nexa.Runner.Wire;

/// <summary>Maps a model's <see cref="ModelStats"/> to and from the runner's wire.</summary>
internal static class StatsWire
{
    public static StatsReply ToWire(ModelStats stats) => new()
    {
        Slots = stats.Slots,
        ActiveSequences = stats.ActiveSequences,
        QueuedJobs = stats.QueuedJobs,
        CachedTokens = stats.CachedTokens,
        ContextSize = stats.ContextSize,
        ResidentBytes = stats.ResidentBytes,
    };

    public static ModelStats FromWire(StatsReply wire) =>
        new(wire.Slots, wire.ActiveSequences, wire.QueuedJobs, wire.CachedTokens, wire.ContextSize, wire.ResidentBytes);
}
