using System.Globalization;
using LLama.Native;
using LLama.Sampling;

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
