using System.Collections.Concurrent;
using LLama.Native;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Keeps llama.cpp's log off the test output and remembers its last lines, which are the only
/// place a failed load explains itself. Call <see cref="EnsureConfigured"/> before any test
/// touches native code.
/// </summary>
public static class NativeLog
{
    private const int KeptLines = 200;
    private static readonly ConcurrentQueue<string> Lines = new();
    private static int _configured;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        try
        {
            NativeLibraryConfig.All.WithLogCallback((_, message) => Remember(message));
        }
        catch (InvalidOperationException)
        {
            // The native library was loaded before this call (by code that did not come here
            // first); the log then goes wherever that code sent it.
        }
    }

    /// <summary>The most recent log lines, oldest first.</summary>
    public static string Recent() => string.Join("", Lines);

    private static void Remember(string message)
    {
        Lines.Enqueue(message);
        while (Lines.Count > KeptLines)
        {
            Lines.TryDequeue(out _);
        }
    }
}
