using Nexa.Hub;

namespace Nexa.Server;

/// <summary>
/// <c>nexa serve --alias NAME=org/repo[:QUANT]</c>: a model name a client sends unchanged (tools that only let the
/// user change the base URL send <c>gpt-4o-mini</c> or <c>text-embedding-3-small</c>) served by a pulled model.
/// The name matches whole and ignoring case; the answers echo it as the client sent it.
/// </summary>
public sealed record ModelAlias(string Name, ModelName Target)
{
    /// <summary>Between aliases in <c>NEXA_ALIASES</c>: a comma, which neither alias names nor model names hold.</summary>
    public const char ListSeparator = ',';

    /// <summary>Reads <c>NAME=org/repo[:QUANT]</c>; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static ModelAlias Parse(string spec)
    {
        var text = spec.Trim();
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
            throw new FormatException($"alias '{spec}' must be NAME=org/repo[:QUANT], e.g. gpt-4o-mini=NexaAI/Qwen3-0.6B-GGUF");
        var name = text[..equals].Trim();
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == ListSeparator))
            throw new FormatException($"alias name '{name}' must be one word without spaces or commas");
        if (!ModelName.TryParse(text[(equals + 1)..], out var target, out var error))
            throw new FormatException($"alias {name}: {error}");
        return new ModelAlias(name, target);
    }

    /// <summary>Reads a <see cref="ListSeparator"/>-separated list (<c>NEXA_ALIASES</c>); empty entries are skipped.</summary>
    public static IReadOnlyList<ModelAlias> ParseList(string? list) =>
        [.. (list ?? "").Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    public override string ToString() => $"{Name}={Target}";
}
