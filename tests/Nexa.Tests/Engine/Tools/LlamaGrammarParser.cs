using System.Runtime.InteropServices;
using LLama;
using LLama.Common;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Tools;

/// <summary>
/// llama.cpp's own GBNF parser, reached through the native library LLamaSharp loaded (LLamaSharp does not expose
/// <c>llama_sampler_init_grammar</c>'s NULL for a grammar it refuses). Needs a vocabulary: the tiny chat model's.
/// </summary>
public sealed class LlamaGrammarParser : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LLamaWeights _weights;
    private readonly IntPtr _vocab;
    private readonly InitGrammar _init;
    private readonly FreeSampler _free;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetVocab(IntPtr model);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr InitGrammar(IntPtr vocab, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FreeSampler(IntPtr sampler);

    public LlamaGrammarParser()
    {
        NativeLog.EnsureConfigured();
        var path = TinyModels.WriteChatModel(_dir["chat.gguf"]);
        _weights = LLamaWeights.LoadFromFile(new ModelParams(path) { ContextSize = 256 });

        // The library is loaded now; load it again by its mapped path to reach the functions LLamaSharp keeps to itself.
        var library = NativeLibrary.Load(LoadedLibraryPath("libllama.so"));
        _init = Marshal.GetDelegateForFunctionPointer<InitGrammar>(NativeLibrary.GetExport(library, "llama_sampler_init_grammar"));
        _free = Marshal.GetDelegateForFunctionPointer<FreeSampler>(NativeLibrary.GetExport(library, "llama_sampler_free"));
        var getVocab = Marshal.GetDelegateForFunctionPointer<GetVocab>(NativeLibrary.GetExport(library, "llama_model_get_vocab"));
        _vocab = getVocab(_weights.NativeHandle.DangerousGetHandle());
    }

    public bool Accepts(string grammar)
    {
        var sampler = _init(_vocab, grammar, "root");
        if (sampler == IntPtr.Zero)
        {
            return false;
        }

        _free(sampler);
        return true;
    }

    public void Dispose()
    {
        _weights.Dispose();
        _dir.Dispose();
    }

    private static string LoadedLibraryPath(string name) =>
        File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(file => Path.GetFileName(file) == name);
}
