using System.Globalization;

namespace Nexa.Engine.Text;

/// <summary>
/// The one range of each sampling field, named as the client names it. The server checks a request against these
/// before any model is loaded; the engine checks the same ranges again (it also serves <c>nexa infer</c>, and is the
/// last line before native code), so no value passes one and fails the other.
/// </summary>
public static class SamplingLimits
{
    public static readonly SamplingRange Temperature = new("temperature", 0, 2);
    public static readonly SamplingRange TopP = new("top_p", 0, 1);
    public static readonly SamplingRange MinP = new("min_p", 0, 1);

    /// <summary>Above 0 (1 is off); beyond 2 every token the answer has used is all but banned.</summary>
    public static readonly SamplingRange RepetitionPenalty = new("repetition_penalty", 0, 2, MinExclusive: true);

    public static readonly SamplingRange PresencePenalty = new("presence_penalty", -2, 2);
    public static readonly SamplingRange FrequencyPenalty = new("frequency_penalty", -2, 2);

    /// <summary>The bias added to one token's logit: -100 bans it, 100 all but forces it.</summary>
    public static readonly SamplingRange LogitBias = new("logit_bias", -100, 100);

    /// <summary>0 turns top-k off; no upper bound (more than the vocabulary keeps every token).</summary>
    public const int MinTopK = 0;

    /// <summary>Most characters of a GBNF grammar a request may carry (the engine's check; <c>nexa infer</c>/<c>run</c> check it first).</summary>
    public const int MaxGrammarLength = 1_000_000;
}

/// <summary>An inclusive range (exclusive at the bottom when <paramref name="MinExclusive"/>) for the field <paramref name="Param"/>.</summary>
public sealed record SamplingRange(string Param, double Min, double Max, bool MinExclusive = false)
{
    /// <summary>False for NaN too.</summary>
    public bool Contains(double value) => (MinExclusive ? value > Min : value >= Min) && value <= Max;

    /// <summary>"must be between 0 and 2", "must be above 0 and at most 2".</summary>
    public string Rule => MinExclusive
        ? $"must be above {Show(Min)} and at most {Show(Max)}"
        : $"must be between {Show(Min)} and {Show(Max)}";

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
