using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Server.Errors;

namespace Nexa.Server.Catalog;

/// <summary>A request's <c>model</c> string resolved: the name it stands for (an alias's target) and the pulled model.</summary>
internal sealed record FoundModel(ModelName Name, StoredModel Stored, ModelAlias? Alias);

/// <summary>
/// Turns the <c>model</c> string of a request into a pulled model: an alias first (whole name, ignoring case), then
/// the store, where Hugging Face's case-insensitive repo ids match whatever spelling the model was pulled under.
/// Everything else is a 404 that says what is near, or a 400 when two pulled spellings differ only in case.
/// </summary>
internal sealed class NameResolver(ModelStore store, IReadOnlyList<ModelAlias> aliases)
{
    // A later alias of the same name wins: NEXA_ALIASES comes first, then the --alias flags.
    private readonly Dictionary<string, ModelAlias> _aliases = aliases
        .GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ModelAlias> Aliases => _aliases.Values;

    public FoundModel Find(string requested)
    {
        if (_aliases.TryGetValue(requested.Trim(), out var alias))
        {
            var target = store.Lookup(alias.Target);
            if (target.Ambiguous.Count > 0)
                throw Ambiguous(alias.Target.ToString(), target);
            return target.Model is { } model
                ? new FoundModel(alias.Target, model, alias)
                : throw new ApiException(ErrorTable.AliasTargetNotPulled(requested, alias.Target.ToString()));
        }

        if (!ModelName.TryParse(requested, out var name, out var error))
            throw new ApiException(ErrorTable.ModelNotFound(error));
        var found = store.Lookup(name);
        if (found.Model is { } stored)
            return new FoundModel(name, stored, null);
        if (found.Ambiguous.Count > 0)
            throw Ambiguous(requested, found);
        var pullName = ModelName.NamesOrg(requested) ? name.Id : null;
        throw new ApiException(ErrorTable.ModelNotPulled(requested, [.. found.Closest.Select(c => c.Id)], pullName));
    }

    /// <summary>What `nexa serve` should warn about at start: aliases whose model is not pulled, or that hide a pulled one.</summary>
    public IReadOnlyList<string> Warnings()
    {
        var warnings = new List<string>();
        foreach (var alias in _aliases.Values)
        {
            var target = store.Lookup(alias.Target);
            if (target.Model is { } model)
            {
                if (alias.Target.Quant is { } quant && model.ChooseQuant(quant) is null)
                    warnings.Add($"alias {alias.Name}: {model.Name.Id} has no quant {quant} downloaded; requests for {alias.Name} answer 404 until it is: nexa pull {alias.Target}");
            }
            else if (target.Ambiguous.Count > 0)
            {
                warnings.Add($"alias {alias.Name}: {alias.Target} matches several pulled models that differ only in case ({string.Join(", ", target.Ambiguous.Select(n => n.Id))}); name one exactly");
            }
            else
            {
                warnings.Add($"alias {alias.Name}: {alias.Target} is not pulled; requests for {alias.Name} answer 404 until it is: nexa pull {alias.Target}");
            }
            if (ModelName.TryParse(alias.Name, out var asName, out _) && store.Lookup(asName).Model is { } hidden)
                warnings.Add($"alias {alias.Name} hides the pulled model {hidden.Name.Id}: requests for {alias.Name} go to {alias.Target}");
        }
        return warnings;
    }

    private static ApiException Ambiguous(string requested, ModelLookup lookup) =>
        new(ErrorTable.AmbiguousModelName(requested, [.. lookup.Ambiguous.Select(n => n.Id)]));
}
