using Nexa.Engine.Text;

namespace Nexa.Server.Residency;

/// <summary>One model in residency's table as <c>/health</c> shows it.</summary>
/// <param name="Model">Null while it is still loading.</param>
/// <param name="BusySlots">Slots held by requests (the server's count; the engine's own is in the model's stats).</param>
/// <param name="Waiting">Requests queued for a slot.</param>
/// <param name="Users">Requests holding or waiting for the model.</param>
internal sealed record ResidentSnapshot(
    string Key, string ModelType, ILoadedModel? Model, int Slots, int BusySlots, int Waiting, int Users, long EstimatedBytes, DateTimeOffset? UnloadsAt);
