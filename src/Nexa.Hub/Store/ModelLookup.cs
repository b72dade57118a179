namespace Nexa.Hub.Store;

/// <summary>
/// What a model name the user typed found in the store. Hugging Face repo ids are case-insensitive, so
/// <c>Me/Tiny</c> finds a pulled <c>me/tiny</c>; when several pulled spellings differ only in case none is
/// chosen (<see cref="Ambiguous"/>), and when nothing matches <see cref="Closest"/> holds the nearest pulled names.
/// </summary>
public sealed record ModelLookup
{
    /// <summary>The pulled model, named as it is on disk (its folder's spelling), or null.</summary>
    public StoredModel? Model { get; init; }

    /// <summary>Pulled names equal to the asked one but for case, when there are several and none is exact.</summary>
    public IReadOnlyList<ModelName> Ambiguous { get; init; } = [];

    /// <summary>When nothing matched: the pulled names nearest to the asked one, nearest first (at most three).</summary>
    public IReadOnlyList<ModelName> Closest { get; init; } = [];
}
