namespace Nexa.Engine.Grammar;

/// <summary>
/// A GBNF grammar that llama.cpp accepts: parsed by <see cref="GbnfParser"/> and checked as
/// <c>llama_grammar_init_impl</c> checks it (every referenced rule defined, the root symbol present, no left
/// recursion). Parse it before native code sees it: llama.cpp reports a bad grammar only on stderr and LLamaSharp
/// then crashes on a NULL sampler.
/// </summary>
public sealed class GbnfGrammar
{
    private GbnfGrammar(GbnfElement[][] rules, IReadOnlyDictionary<string, uint> symbols, uint root)
    {
        Rules = rules;
        Symbols = symbols;
        Root = root;
    }

    /// <summary>The compiled rules by symbol id, each ending with <see cref="GbnfElementType.End"/>.</summary>
    public IReadOnlyList<GbnfElement[]> Rules { get; }

    public IReadOnlyDictionary<string, uint> Symbols { get; }

    public uint Root { get; }

    /// <summary>
    /// Parses and checks <paramref name="text"/>; throws <see cref="GbnfException"/> with llama.cpp's reason and the place.
    /// </summary>
    /// <param name="tokenOf">The model's single token for a <c>&lt;text&gt;</c> token reference, or null when the text is
    /// not exactly one token; without it such references are accepted unchecked.</param>
    public static GbnfGrammar Parse(string text, string root = "root", Func<string, int?>? tokenOf = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = GbnfParser.Run(text, tokenOf);
        var (parsed, symbols, firstReference, source) = (result.Rules, result.Symbols, result.FirstReference, result.Source);
        if (parsed.Count == 0)
        {
            throw new GbnfException("the grammar has no rules", 0, 0);
        }

        // Each referenced symbol must have a rule (llama.cpp: "Undefined rule" / "Undefined rule identifier").
        for (var id = 0; id < parsed.Count; id++)
        {
            if (parsed[id] is null)
            {
                throw Undefined((uint)id, symbols, firstReference, source);
            }

            foreach (var element in parsed[id]!)
            {
                if (element.Type == GbnfElementType.RuleReference && (element.Value >= parsed.Count || parsed[(int)element.Value] is null))
                {
                    throw Undefined(element.Value, symbols, firstReference, source);
                }
            }
        }

        if (!symbols.TryGetValue(root, out var rootId))
        {
            throw new GbnfException($"grammar does not contain a '{root}' symbol", 0, 0);
        }

        var rules = parsed.Select(r => r!.ToArray()).ToArray();
        LeftRecursion.Check(rules, symbols, id => result.DefinedAt.TryGetValue(id, out var at) ? GbnfParser.LineColumn(source, at) : (0, 0));
        return new GbnfGrammar(rules, symbols, rootId);
    }

    /// <summary>The name of a symbol id (the first in name order, as llama.cpp's std::map would give it).</summary>
    public string NameOf(uint id) => NameOf(id, Symbols);

    internal static string NameOf(uint id, IReadOnlyDictionary<string, uint> symbols) =>
        symbols.Where(p => p.Value == id).Select(p => p.Key).Order(StringComparer.Ordinal).FirstOrDefault() ?? $"#{id}";

    private static GbnfException Undefined(uint id, Dictionary<string, uint> symbols, Dictionary<uint, int> firstReference, byte[] source)
    {
        var name = NameOf(id, symbols);
        if (firstReference.TryGetValue(id, out var at))
        {
            var (line, column) = GbnfParser.LineColumn(source, at);
            return new GbnfException($"Undefined rule identifier '{name}'", line, column);
        }

        return new GbnfException($"Undefined rule identifier '{name}'", 0, 0);
    }
}
