using System.Runtime.InteropServices;
using LLama.Native;

namespace Nexa.Engine.Embeddings;

/// <summary>
/// llama_vocab_get_add_sep, which LLamaSharp 0.30 binds but cannot reach publicly (its vocabulary pointer is
/// internal). Resolved by name: libllama.so is already loaded by LLamaSharp, and the loader hands back that very
/// library for its soname.
/// </summary>
internal static partial class VocabularyFlags
{
    public static bool ShouldAddSeparator(SafeLlamaModelHandle model) => llama_vocab_get_add_sep(llama_model_get_vocab(model));

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool llama_vocab_get_add_sep(IntPtr vocab);
}
