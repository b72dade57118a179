namespace Nexa.Hub;

/// <summary>
/// "Did you mean …": the known model names nearest to one that matched nothing, by edit distance over the whole
/// <c>org/repo</c> or over the repo alone (a client that sends <c>qwen3-0.6b-gguf</c> means <c>Qwen/Qwen3-0.6B-GGUF</c>).
/// </summary>
public static class NameSuggestions
{
    public const int MaxSuggestions = 3;

    public static IReadOnlyList<ModelName> Closest(ModelName requested, IEnumerable<ModelName> known)
    {
        var wantedId = requested.Id.ToLowerInvariant();
        var wantedRepo = requested.Repo.ToLowerInvariant();
        // A third of the name may be wrong (typos, a missing suffix), never less than two edits.
        var limit = Math.Max(2, wantedRepo.Length / 3);
        return [.. known
            .Select(name =>
            {
                var repo = name.Repo.ToLowerInvariant();
                var distance = Math.Min(Distance(wantedId, name.Id.ToLowerInvariant()), Distance(wantedRepo, repo));
                // A name that holds the asked one whole ("qwen3" in "qwen3-0.6b-gguf") is close whatever its length.
                var contains = wantedRepo.Length >= 3 && repo.Contains(wantedRepo, StringComparison.Ordinal);
                return (Name: name, Distance: distance, Close: distance <= limit || contains);
            })
            .Where(c => c.Close)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name.Id, StringComparer.OrdinalIgnoreCase)
            .Take(MaxSuggestions)
            .Select(c => c.Name)];
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, one each.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
