using LLama.Native;
using LLama.Sampling;
using Nexa.Engine.Grammar;

namespace Nexa.Engine.Text;

/// <summary>
/// Samples under a GBNF grammar as llama-server does. The grammar sampler is slow over a whole vocabulary (it
/// decodes every token's text through the grammar's stacks: 151k tokens for Qwen3), so the unconstrained chain
/// picks first and only that one token is checked against the grammar; only when the grammar refuses it is the
/// grammar applied to every candidate and the chain run again. Either way the token comes from the same chain
/// (bias, penalties, top-k/p, min-p, temperature, seed).
/// </summary>
/// <remarks>
/// <see cref="Sample"/> accepts the token into the chain and the grammar, exactly once; <see cref="Accept"/> refuses
/// to be called (a second accept with a grammar aborts llama.cpp). The grammar never sees a token it has not allowed:
/// llama.cpp aborts on that too.
/// </remarks>
internal sealed class GrammarSampler : ISamplingPipeline
{
    // Tries before a lazy grammar's trigger text that the grammar cannot continue gives up (each try bans one token).
    private const int MaxTriggerRetries = 16;

    private readonly DefaultSamplingPipeline _chain;
    private readonly NativeGrammar _grammar;
    private readonly GrammarTriggers? _triggers;
    private readonly SafeLlamaModelHandle _model;
    private readonly List<LLamaToken> _banned = [];
    private LLamaTokenData[] _candidates = [];
    private byte[] _piece = new byte[64];

    public GrammarSampler(DefaultSamplingPipeline chain, NativeGrammar grammar, GrammarTriggers? triggers, SafeLlamaModelHandle model)
    {
        _chain = chain;
        _grammar = grammar;
        _triggers = triggers;
        _model = model;
    }

    /// <summary>Apply the grammar to every candidate before sampling (llama.cpp's slow path every time): for measuring the fast path.</summary>
    public bool GrammarFirst { get; set; }

    /// <summary>Tokens the unconstrained chain picked and the grammar allowed.</summary>
    public int FastPicks { get; private set; }

    /// <summary>Tokens for which the grammar had to be applied to the whole vocabulary.</summary>
    public int FullPicks { get; private set; }

    public LLamaToken Sample(SafeLLamaContextHandle ctx, int index)
    {
        var logits = ctx.GetLogitsIth(index);
        if (_candidates.Length < logits.Length)
        {
            _candidates = new LLamaTokenData[logits.Length];
        }

        _banned.Clear();
        for (var attempt = 0; ; attempt++)
        {
            var token = Choose(ctx, logits);
            if (_triggers is null || _triggers.TryAccept((int)token, Piece(token)))
            {
                _chain.Accept(token);
                _grammar.Accept(token);
                return token;
            }

            // The token would start the lazy grammar with text it cannot continue: sample another instead.
            if (attempt == MaxTriggerRetries)
            {
                throw new EngineException(EngineErrorKind.Internal,
                    "the model kept writing a grammar trigger followed by text the grammar does not allow");
            }

            _banned.Add(token);
        }
    }

    private LLamaToken Choose(SafeLLamaContextHandle ctx, ReadOnlySpan<float> logits)
    {
        if (!GrammarFirst)
        {
            var free = Pick(ctx, logits, constrained: false);
            if (Allows(free))
            {
                FastPicks++;
                return free;
            }
        }

        FullPicks++;
        return Pick(ctx, logits, constrained: true);
    }

    private LLamaToken Pick(SafeLLamaContextHandle ctx, ReadOnlySpan<float> logits, bool constrained)
    {
        var memory = _candidates.AsMemory(0, logits.Length);
        var span = memory.Span;
        for (var i = 0; i < logits.Length; i++)
        {
            span[i] = new LLamaTokenData(i, logits[i], 0f);
        }

        foreach (var token in _banned)
        {
            span[(int)token] = new LLamaTokenData(token, float.NegativeInfinity, 0f);
        }

        using var pin = LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(memory), out var native);
        if (constrained)
        {
            _grammar.Apply(ref native);
            if (!HasFinite(native.Data))
            {
                throw new EngineException(EngineErrorKind.Internal, "the grammar allows no token of this model here (its text cannot continue the grammar)");
            }
        }

        _chain.Apply(ctx, ref native);
        var selected = native.Selected;
        if (selected < 0 || selected >= (long)native.Size || (constrained && float.IsNegativeInfinity(native.Data[(int)selected].Logit)))
        {
            throw new EngineException(EngineErrorKind.Internal, "sampling left no token the grammar allows (banned or biased away)");
        }

        return native.Data[(int)selected].ID;
    }

    // The grammar applied to a one-candidate array: cheap, whatever the vocabulary size.
    private bool Allows(LLamaToken token)
    {
        var one = new[] { new LLamaTokenData(token, 0f, 0f) };
        using var pin = LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(one, isSorted: true), out var native);
        _grammar.Apply(ref native);
        return !float.IsNegativeInfinity(native.Data[0].Logit);
    }

    private static bool HasFinite(Span<LLamaTokenData> data)
    {
        foreach (var d in data)
        {
            if (!float.IsNegativeInfinity(d.Logit))
            {
                return true;
            }
        }

        return false;
    }

    // The token's text as llama.cpp's grammar sees it (special tokens rendered).
    private ReadOnlySpan<byte> Piece(LLamaToken token)
    {
        var length = (int)_model.TokenToSpan(token, _piece, 0, special: true);
        if (length > _piece.Length)
        {
            _piece = new byte[length];
            length = (int)_model.TokenToSpan(token, _piece, 0, special: true);
        }

        return _piece.AsSpan(0, length);
    }

    public void Apply(SafeLLamaContextHandle ctx, LLamaTokenDataArray data)
    {
        using var pin = LLamaTokenDataArrayNative.Create(data, out var native);
        _grammar.Apply(ref native);
        _chain.Apply(ctx, ref native);
    }

    public void Reset() => throw new NotSupportedException("a grammar sampler serves one generation: create a new one");

    /// <summary>Never: <see cref="Sample"/> has accepted the token already, and a second accept aborts llama.cpp.</summary>
    public void Accept(LLamaToken token) =>
        throw new InvalidOperationException("Sample already accepted the token; accepting it again aborts llama.cpp's grammar");

    public void Dispose()
    {
        _chain.Dispose();
        _grammar.Dispose();
    }
}
