using Nexa.Hub;
using Nexa.Hub.Store;

namespace Nexa.Cli.Commands;

/// <summary>
/// Model names as the commands take them: any case finds a pulled model (Hugging Face repo ids ignore case), and a
/// name that finds nothing is answered with the nearest pulled names.
/// </summary>
internal static class StoreNames
{
    /// <summary>The pulled model <paramref name="name"/> means, or null; several spellings that differ only in case fail.</summary>
    public static StoredModel? FindPulled(ModelStore store, ModelName name)
    {
        var lookup = store.Lookup(name);
        if (lookup.Ambiguous.Count > 0)
            throw new CliException(Ambiguous(name, lookup));
        return lookup.Model;
    }

    /// <summary>Why nothing answers to <paramref name="name"/>: several spellings, or not pulled (with what is near).</summary>
    public static string NotPulled(ModelStore store, ModelName name)
    {
        var lookup = store.Lookup(name);
        if (lookup.Ambiguous.Count > 0)
            return Ambiguous(name, lookup);
        var message = $"{name.Id} is not pulled";
        return lookup.Closest.Count > 0 ? $"{message} (did you mean {string.Join(" or ", lookup.Closest.Select(n => n.Id))}?)" : message;
    }

    private static string Ambiguous(ModelName name, ModelLookup lookup) =>
        $"{name.Id} matches several pulled models that differ only in case: {string.Join(", ", lookup.Ambiguous.Select(n => n.Id))}; name one exactly";
}
