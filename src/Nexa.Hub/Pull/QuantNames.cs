using System.Text.RegularExpressions;

namespace Nexa.Hub.Pull;

/// <summary>Reads the quantisation from a GGUF file name, as llama.cpp's tools name their outputs.</summary>
public static partial class QuantNames
{
    /// <summary>The key used for a GGUF whose name carries no recognisable quant.</summary>
    public const string Unnamed = "DEFAULT";

    /// <summary>The default choice when several quants exist and none was asked for, as the original.</summary>
    public static readonly IReadOnlyList<string> Preferred = ["Q4_0", "Q4_K_M", "Q8_0"];

    public static string FromFileName(string fileName)
    {
        var stem = ShardSuffix().Replace(Path.GetFileName(fileName), "");
        stem = stem.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? stem[..^5] : stem;
        var matches = QuantPattern().Matches(stem);
        if (matches.Count == 0)
            return Unnamed;
        var quant = matches[^1].Value.ToUpperInvariant();
        return quant == "FP16" ? "F16" : quant == "FP32" ? "F32" : quant;
    }

    /// <summary>Orders quants for display: the preferred ones first, then by name.</summary>
    public static IEnumerable<string> InDisplayOrder(IEnumerable<string> quants) =>
        quants.OrderBy(q => Preferred.IndexOf(q) is var i && i >= 0 ? i : int.MaxValue).ThenBy(q => q, StringComparer.Ordinal);

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
                return i;
        }
        return -1;
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9])(IQ\d_(?:XXS|XS|NL|S|M)|Q\d_K(?:_(?:XL|S|M|L))?|Q\d_\d|TQ\d_\d|BF16|F16|F32|FP16|FP32|MXFP4)(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex QuantPattern();

    [GeneratedRegex(@"-\d{5}-of-\d{5}(?=\.gguf$)", RegexOptions.IgnoreCase)]
    private static partial Regex ShardSuffix();
}
