using System.Text.RegularExpressions;

namespace Nexa.Hub;

/// <summary>
/// A model's name as users write it: <c>org/repo[:QUANT]</c>. A bare name means <c>NexaAI/name</c>,
/// a leading <c>https://huggingface.co/</c> is dropped and the quant is upper-cased.
/// </summary>
public readonly partial record struct ModelName(string Org, string Repo, string? Quant)
{
    public const string DefaultOrg = "NexaAI";

    /// <summary><c>org/repo</c>, without the quant: the key of the store and of the hub.</summary>
    public string Id => $"{Org}/{Repo}";

    public override string ToString() => Quant is null ? Id : $"{Id}:{Quant}";

    public ModelName WithoutQuant() => this with { Quant = null };

    public static ModelName Parse(string text)
    {
        if (!TryParse(text, out var name, out var error))
            throw new HubException(HubErrorKind.InvalidName, error);
        return name;
    }

    /// <summary>
    /// Whether <paramref name="text"/> names its organisation (<c>org/repo</c>) rather than leaving it to the
    /// <see cref="DefaultOrg"/>: only then is "pull it" sound advice for a name nobody pulled.
    /// </summary>
    public static bool NamesOrg(string? text) => WithoutHubPrefix(text).Contains('/');

    public static bool TryParse(string? text, out ModelName name, out string error)
    {
        name = default;
        var s = WithoutHubPrefix(text);

        string? quant = null;
        var colon = s.LastIndexOf(':');
        if (colon >= 0)
        {
            quant = s[(colon + 1)..].Trim().ToUpperInvariant();
            s = s[..colon];
            if (quant.Length == 0)
                quant = null;
            else if (!QuantPattern().IsMatch(quant))
            {
                error = $"invalid quant '{quant}' in model name '{text}'";
                return false;
            }
        }

        var parts = s.Split('/');
        var (org, repo) = parts.Length switch
        {
            1 => (DefaultOrg, parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
        if (!IsValidSegment(org) || !IsValidSegment(repo))
        {
            error = $"invalid model name '{text}': expected org/repo[:QUANT], e.g. NexaAI/Qwen3-0.6B-GGUF:Q4_K_M";
            return false;
        }
        name = new ModelName(org, repo, quant);
        error = "";
        return true;
    }

    private static string WithoutHubPrefix(string? text)
    {
        var s = (text ?? "").Trim();
        foreach (var prefix in (string[])["https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf.co/"])
        {
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[prefix.Length..];
                break;
            }
        }
        return s.TrimEnd('/');
    }

    // Hugging Face allows letters, digits, '-', '_', '.'; '..' and leading dots would escape the store.
    private static bool IsValidSegment(string segment) =>
        segment.Length is > 0 and <= 96 && SegmentPattern().IsMatch(segment) && !segment.StartsWith('.') && !segment.Contains("..");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SegmentPattern();

    [GeneratedRegex("^[A-Z0-9_]{1,32}$")]
    private static partial Regex QuantPattern();
}
