using System.Globalization;
using LLama.Native;
using LLama.Sampling;
using Nexa.Engine.Grammar;

namespace Nexa.Engine.Text;

/// <summary>
/// Checks a request's sampling settings against the ranges llama.cpp handles safely and builds its sampler.
/// Every value is checked before native code sees it; errors name the OpenAI parameter.
/// </summary>
internal static class SamplerFactory
{
    private static readonly Dictionary<int, float> NoBias = [];

    /// <summary>One sampler per request: penalties and the random state live in it.</summary>
    /// <param name="banned">Tokens that must never be sampled (end-of-generation tokens under IgnoreEos).</param>
    public static DefaultSamplingPipeline Create(SamplingOptions sampling, int vocabularySize, IEnumerable<LLamaToken> banned)
    {
        Validate(sampling, vocabularySize);
        var bias = new Dictionary<LLamaToken, float>();
        foreach (var (token, value) in sampling.LogitBias ?? NoBias)
        {
            bias[token] = value;
        }

        foreach (var token in banned)
        {
            bias[token] = float.NegativeInfinity;
        }

        // Temperature 0 is greedy: llama.cpp's temperature sampler then keeps only the most likely token.
        return new DefaultSamplingPipeline
        {
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            TopK = sampling.TopK,
            MinP = sampling.MinP,
            RepeatPenalty = sampling.RepetitionPenalty,
            PresencePenalty = sampling.PresencePenalty,
            FrequencyPenalty = sampling.FrequencyPenalty,
            Seed = sampling.Seed ?? (uint)Random.Shared.NextInt64(0, uint.MaxValue),
            LogitBias = bias,
        };
    }

    /// <summary>
    /// One sampler per request under a grammar checked by <see cref="ValidateGrammar"/>: the same chain, with the grammar
    /// applied the fast way (see <see cref="GrammarSampler"/>). Lazy when the request names trigger words or tokens.
    /// </summary>
    public static GrammarSampler CreateConstrained(SamplingOptions sampling, int vocabularySize, ChatRequest request, GbnfGrammar grammar, SafeLlamaModelHandle model)
    {
        var lazy = request.GrammarTriggerWords.Count > 0 || request.GrammarTriggerTokens.Count > 0;
        var native = lazy
            ? NativeGrammar.CreateLazy(model, request.Grammar!, [.. request.GrammarTriggerWords.Select(GrammarTriggers.Pattern)], request.GrammarTriggerTokens)
            : NativeGrammar.Create(model, request.Grammar!);
        if (native is null)
        {
            // Our parser accepted what llama.cpp refused: say so rather than sample unconstrained.
            throw Invalid("llama.cpp refused the grammar (its reason is in the runner's log)", "grammar");
        }

        var chain = Create(sampling, vocabularySize, []);
        return new GrammarSampler(chain, native, lazy ? new GrammarTriggers(grammar, request.GrammarTriggerWords, request.GrammarTriggerTokens) : null, model);
    }

    /// <summary>
    /// Parses the request's grammar as llama.cpp would (null when it has none) and checks its triggers; a fault is
    /// <see cref="EngineErrorKind.InvalidRequest"/> with the parser's reason and line:column, before native code sees it.
    /// </summary>
    /// <param name="tokenOf">The model's single token for a text (for <c>&lt;|…|&gt;</c> references), or null.</param>
    public static GbnfGrammar? ValidateGrammar(ChatRequest request, int vocabularySize, Func<string, int?> tokenOf)
    {
        var lazy = request.GrammarTriggerWords.Count > 0 || request.GrammarTriggerTokens.Count > 0;
        if (string.IsNullOrEmpty(request.Grammar))
        {
            return lazy ? throw Invalid("grammar triggers need a grammar", "grammar") : null;
        }

        if (request.IgnoreEos)
        {
            throw Invalid("ignore_eos cannot be combined with a grammar: the grammar decides where the answer may end", "grammar");
        }

        if (request.Grammar.Length > SamplingLimits.MaxGrammarLength)
        {
            throw Invalid($"the grammar has {request.Grammar.Length} characters, more than {SamplingLimits.MaxGrammarLength}", "grammar");
        }

        if (request.GrammarTriggerWords.Any(string.IsNullOrEmpty))
        {
            throw Invalid("a grammar trigger word must not be empty", "grammar");
        }

        foreach (var token in request.GrammarTriggerTokens.Where(t => t < 0 || t >= vocabularySize))
        {
            throw Invalid($"grammar trigger token {token} is outside the model's vocabulary (0 to {vocabularySize - 1})", "grammar");
        }

        try
        {
            return GbnfGrammar.Parse(request.Grammar, tokenOf: tokenOf);
        }
        catch (GbnfException e)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, e.Message, code: ErrorCodes.InvalidGrammar, param: "grammar", inner: e);
        }
    }

    public static void Validate(SamplingOptions sampling, int vocabularySize)
    {
        InRange(sampling.Temperature, SamplingLimits.Temperature);
        InRange(sampling.TopP, SamplingLimits.TopP);
        if (sampling.TopK < SamplingLimits.MinTopK)
        {
            throw Invalid($"top_k must be 0 (off) or more, not {sampling.TopK}", "top_k");
        }

        InRange(sampling.MinP, SamplingLimits.MinP);
        InRange(sampling.RepetitionPenalty, SamplingLimits.RepetitionPenalty);
        InRange(sampling.PresencePenalty, SamplingLimits.PresencePenalty);
        InRange(sampling.FrequencyPenalty, SamplingLimits.FrequencyPenalty);
        foreach (var (token, value) in sampling.LogitBias ?? NoBias)
        {
            if (token < 0 || token >= vocabularySize)
            {
                throw Invalid($"logit_bias names token {token}, but the model's vocabulary has tokens 0 to {vocabularySize - 1}", "logit_bias");
            }

            if (!SamplingLimits.LogitBias.Contains(value))
            {
                throw Invalid($"logit_bias for token {token} {SamplingLimits.LogitBias.Rule}, not {Show(value)}", "logit_bias");
            }
        }
    }

    private static void InRange(float value, SamplingRange range)
    {
        if (!range.Contains(value))
        {
            throw Invalid($"{range.Param} {range.Rule}, not {Show(value)}", range.Param);
        }
    }

    private static string Show(float value) => value.ToString(CultureInfo.InvariantCulture);

    private static EngineException Invalid(string message, string param) =>
        new(EngineErrorKind.InvalidRequest, message, ErrorCodes.InvalidValue, param);
}
