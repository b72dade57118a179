using System.Runtime.InteropServices;
using LLama.Native;

namespace Nexa.Engine.Text;

/// <summary>
/// llama.cpp's grammar sampler, bound here rather than through LLamaSharp 0.30: its <c>AddGrammar</c> adds a NULL
/// sampler to the chain when llama.cpp refuses a grammar (a crash on the next sample), and its <c>AddLazyGrammar</c>
/// binds <c>llama_sampler_init_grammar_lazy_patterns</c> with six parameters where the C function has seven (it
/// leaves out <c>num_trigger_patterns</c>, so the token array's address is read as the pattern count). This handle
/// is never NULL, and the sampler is used on its own (apply and accept), never inside a chain that samples.
/// </summary>
internal sealed class NativeGrammar : SafeHandle
{
    private NativeGrammar(IntPtr handle)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>A grammar sampler that constrains from the first token; null when llama.cpp refuses the grammar.</summary>
    public static NativeGrammar? Create(SafeLlamaModelHandle model, string gbnf)
    {
        var sampler = llama_sampler_init_grammar(llama_model_get_vocab(model), gbnf, "root");
        return sampler == IntPtr.Zero ? null : new NativeGrammar(sampler);
    }

    /// <summary>
    /// A lazy grammar sampler: unconstrained until a trigger token is sampled or the text so far matches a trigger
    /// pattern (std::regex, ECMAScript), then constrained from the trigger on. Null when llama.cpp refuses the grammar.
    /// </summary>
    /// <remarks>An invalid pattern makes llama.cpp throw a C++ exception through C (an abort): pass only patterns built
    /// by <see cref="Grammar.GrammarTriggers"/>, which escapes words into literal patterns.</remarks>
    public static NativeGrammar? CreateLazy(SafeLlamaModelHandle model, string gbnf, IReadOnlyList<string> patterns, IReadOnlyList<int> tokens)
    {
        var utf8 = patterns.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        try
        {
            var sampler = llama_sampler_init_grammar_lazy_patterns(llama_model_get_vocab(model), gbnf, "root",
                utf8, (nuint)utf8.Length, [.. tokens], (nuint)tokens.Count);
            return sampler == IntPtr.Zero ? null : new NativeGrammar(sampler);
        }
        finally
        {
            foreach (var p in utf8)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>Sets the logit of every candidate the grammar does not allow to -infinity (nothing while a lazy grammar awaits its trigger).</summary>
    public void Apply(ref LLamaTokenDataArrayNative candidates) => llama_sampler_apply(this, ref candidates);

    /// <summary>Advances the grammar past a token. The token must be one <see cref="Apply"/> allows: llama.cpp aborts otherwise.</summary>
    public void Accept(LLamaToken token) => llama_sampler_accept(this, token);

    protected override bool ReleaseHandle()
    {
        llama_sampler_free(handle);
        return true;
    }

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr llama_sampler_init_grammar(
        IntPtr vocab, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root);

    // llama.h at 815a2a59: (vocab, grammar_str, grammar_root, trigger_patterns, num_trigger_patterns, trigger_tokens, num_trigger_tokens).
    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr llama_sampler_init_grammar_lazy_patterns(
        IntPtr vocab, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root,
        IntPtr[] patterns, nuint patternCount, int[] tokens, nuint tokenCount);

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern void llama_sampler_apply(NativeGrammar sampler, ref LLamaTokenDataArrayNative candidates);

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern void llama_sampler_accept(NativeGrammar sampler, LLamaToken token);

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern void llama_sampler_free(IntPtr sampler);
}
