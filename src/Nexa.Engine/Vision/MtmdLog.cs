using System.Runtime.InteropServices;
using LLama.Native;

namespace Nexa.Engine.Vision;

/// <summary>
/// Routes libmtmd's log (its own and clip's) into <see cref="NativeLogging"/>. LLamaSharp binds no mtmd_log_set,
/// and without it a projector that fails to load explains itself only on stderr, never in our error message.
/// </summary>
/// <remarks>
/// The library is found through the handle LLamaSharp already loaded: asking the OS loader for its soname again
/// returns the loaded copy (no second instance, so the callback lands in the library that runs). On a platform
/// where that lookup fails the log simply stays on stderr.
/// </remarks>
internal static class MtmdLog
{
    // Held here so the delegates handed to native code are never collected.
    private static readonly LogCallback Callback = OnLog;
    private static int _installed;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void LogCallback(int level, IntPtr text, IntPtr userData);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void LogSet(IntPtr callback, IntPtr userData);

    /// <summary>Installs the callback once; call it after LLamaSharp has loaded libmtmd (any mtmd call does).</summary>
    public static void EnsureInstalled()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        foreach (var name in LibraryNames())
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            // mtmd_log_set covers mtmd and clip; the helper (image encode/decode progress) has its own.
            foreach (var export in new[] { "mtmd_log_set", "mtmd_helper_log_set" })
            {
                if (NativeLibrary.TryGetExport(library, export, out var logSet))
                {
                    Marshal.GetDelegateForFunctionPointer<LogSet>(logSet)(Marshal.GetFunctionPointerForDelegate(Callback), IntPtr.Zero);
                }
            }

            return;
        }
    }

    private static IEnumerable<string> LibraryNames() =>
        OperatingSystem.IsWindows() ? ["mtmd.dll"] : OperatingSystem.IsMacOS() ? ["libmtmd.dylib"] : ["libmtmd.so"];

    private static void OnLog(int level, IntPtr text, IntPtr userData)
    {
        try
        {
            var message = Marshal.PtrToStringUTF8(text);
            if (!string.IsNullOrEmpty(message))
            {
                // ggml's levels and LLamaSharp's LLamaLogLevel share their numbers (none, debug, info, warn, error, cont).
                NativeLogging.Forward((LLamaLogLevel)level, message);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing may throw back into native code.
        }
    }
}
