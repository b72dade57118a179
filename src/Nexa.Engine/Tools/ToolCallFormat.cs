using System.Security.Cryptography;
using System.Text.Json;

using Nexa.Engine.Text;

namespace Nexa.Engine.Tools;

/// <summary>What every family's format shares: the grammar writer around its rules, and call ids.</summary>
internal abstract class ToolCallFormat : IToolCallFormat
{
    private const string IdCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public abstract ToolCallFamily Family { get; }

    public abstract IReadOnlyList<ToolCallTrigger> Triggers { get; }

    public virtual IReadOnlyList<string> SpecialTokens => [];

    public string BuildGrammar(IReadOnlyList<ChatTool> tools, Func<JsonElement, string> schemaToGbnf, bool parallel)
    {
        if (tools.Count == 0)
        {
            throw new ArgumentException("a tool call grammar needs at least one tool", nameof(tools));
        }

        var grammar = new GbnfWriter(schemaToGbnf);
        WriteGrammar(grammar, tools, parallel);
        return grammar.Text();
    }

    public ToolCallStream CreateStream(IReadOnlyList<ChatTool> tools) => new(CreateParser(tools), NewCallId);

    internal abstract ToolCallParser CreateParser(IReadOnlyList<ChatTool> tools);

    /// <summary>Adds the rules, <c>root</c> first.</summary>
    protected abstract void WriteGrammar(GbnfWriter grammar, IReadOnlyList<ChatTool> tools, bool parallel);

    /// <summary>
    /// An id for a new call, unique and never written by the model (a model's own ids repeat across turns).
    /// OpenAI's shape by default; a family whose template checks ids overrides it.
    /// </summary>
    protected virtual string NewCallId() => "call_" + RandomNumberGenerator.GetString(IdCharacters, 24);

    /// <summary>Mistral's templates refuse any id that is not 9 letters or digits when the call comes back in the history.</summary>
    protected static string NineCharacterId() => RandomNumberGenerator.GetString(IdCharacters, 9);

    /// <summary><c>one (space one)*</c> when calls may come in parallel, else <c>one</c>.</summary>
    protected static string Repeated(string one, bool parallel) => parallel ? $"{one} ( {GbnfWriter.Space} {one} )*" : one;
}
