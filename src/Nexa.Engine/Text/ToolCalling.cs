using System.Text.Json;
using Nexa.Engine.Grammar;
using Nexa.Engine.Tools;

namespace Nexa.Engine.Text;

/// <summary>
/// A model's tool calling: its family's format (found once from the GGUF's chat template) and, per request that
/// offers tools, the grammar that keeps a call well-formed and the plan its answer is parsed by.
/// </summary>
/// <remarks>
/// As llama-server does: <c>tool_choice</c> <c>required</c> or a named function constrains the answer from its first
/// token to one call (several when <c>parallel_tool_calls</c>); <c>auto</c> leaves the answer free until the family's
/// trigger text appears, and constrains it from there; <c>none</c> shows the tools to the template but neither
/// constrains nor parses (the answer is text). When the template has opened a &lt;think&gt; block for the answer, the
/// grammar waits for <c>&lt;/think&gt;</c> so the model still reasons first.
/// </remarks>
internal sealed class ToolCalling
{
    private const string ThinkEnd = "</think>";

    private readonly Func<string, int?> _singleToken;
    private readonly Lazy<int[]> _preservedTokens;

    public ToolCalling(string? chatTemplate, Func<string, int?> singleToken)
    {
        Format = ToolCallFormats.Detect(chatTemplate);
        _singleToken = singleToken;
        _preservedTokens = new Lazy<int[]>(() => [.. Format.SpecialTokens.Select(singleToken).OfType<int>()]);
    }

    public IToolCallFormat Format { get; }

    /// <summary>
    /// The request with the grammar its tool choice needs, and how its answer is parsed; the request as it came and
    /// no plan when it offers no tools or forbids calls.
    /// </summary>
    public (ChatRequest Request, ToolAnswerPlan? Plan) Prepare(ChatRequest request, bool startsInThinking)
    {
        var tools = request.Tools ?? [];
        var choice = request.ToolChoice ?? ToolChoice.Auto;
        if (tools.Count == 0 || choice.Mode == ToolChoiceMode.None)
        {
            return (request, null);
        }

        if (!string.IsNullOrEmpty(request.Grammar) || request.JsonSchema is not null)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest,
                "tools cannot be combined with a grammar or a JSON schema; set tool_choice to \"none\" or drop one", ErrorCodes.InvalidValue, "tools");
        }

        var plan = new ToolAnswerPlan(Format, tools, _preservedTokens.Value);
        var offered = tools;
        if (choice.Mode == ToolChoiceMode.Named)
        {
            offered = [.. tools.Where(t => t.Name == choice.Name)];
            if (offered.Count == 0)
            {
                throw new EngineException(EngineErrorKind.InvalidRequest,
                    $"tool_choice names the function '{choice.Name}', which is not among the tools", ErrorCodes.InvalidValue, "tool_choice");
            }
        }

        var grammar = BuildGrammar(offered, request.ParallelToolCalls && choice.Mode != ToolChoiceMode.Named);
        if (choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named)
        {
            // Forced: from the first token, or (when the template opened the answer's thinking) from its end.
            return startsInThinking
                ? (request with { Grammar = AfterThinking(grammar), GrammarTriggerWords = [ThinkEnd], GrammarTriggerTokens = [] }, plan)
                : (request with { Grammar = grammar, GrammarTriggerWords = [], GrammarTriggerTokens = [] }, plan);
        }

        // Auto: free text until a trigger. A trigger that opens a call only at the answer's very start (Llama 3's bare
        // JSON, the generic format) cannot be anchored by llama.cpp's lazy grammar, so it is left to the parser alone.
        var words = new List<string>();
        var tokens = new List<int>();
        foreach (var trigger in Format.Triggers.Where(t => !t.AtAnswerStartOnly))
        {
            if (trigger.IsSpecialToken && _singleToken(trigger.Text) is { } token)
            {
                tokens.Add(token);
            }
            else
            {
                words.Add(trigger.Text);
            }
        }

        return words.Count + tokens.Count == 0
            ? (request, plan)
            : (request with { Grammar = grammar, GrammarTriggerWords = words, GrammarTriggerTokens = tokens }, plan);
    }

    private string BuildGrammar(IReadOnlyList<ChatTool> tools, bool parallel)
    {
        try
        {
            return Format.BuildGrammar(tools, schema => JsonSchemaGrammar.FromSchema(schema.GetRawText()), parallel);
        }
        catch (Exception e) when (e is SchemaGrammarException or JsonException)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"a tool's parameters schema cannot be enforced: {e.Message}", ErrorCodes.InvalidValue, "tools");
        }
    }

    // "</think>", the whitespace the model puts after it, then the calls: a grammar that a trigger on "</think>" starts.
    private static string AfterThinking(string grammar) =>
        $"root ::= {GbnfWriter.Literal(ThinkEnd)} [ \\t\\n]{{0,4}} calls-root\n{GbnfWriter.Prefixed(grammar, "calls-")}";
}

/// <summary>How one answer that may call tools is parsed, and which control tokens its decoder must show as text.</summary>
internal sealed record ToolAnswerPlan(IToolCallFormat Format, IReadOnlyList<ChatTool> Tools, IReadOnlyList<int> PreservedTokens)
{
    public ToolCallStream CreateStream() => Format.CreateStream(Tools);
}
