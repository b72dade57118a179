using System.Runtime.InteropServices;
using LLama.Native;

namespace Nexa.Engine;

/// <summary>
/// llama.cpp's log, routed to us. It is quiet by default, but its last lines are always kept: a failed
/// load or context allocation explains itself only there, so they go into our error messages.
/// </summary>
public static class NativeLogging
{
    private const int KeptLines = 100;

    // Warnings and errors are also kept apart: while other models load, their info lines could push a failure's
    // reason out of the last 100 lines before the failing code reads it.
    private const int KeptProblems = 50;

    private static readonly Lock Gate = new();
    private static readonly Queue<LogLine> Lines = new();
    private static readonly Queue<LogLine> Problems = new();
    private static readonly System.Text.StringBuilder Partial = new();

    // Held here so the delegate handed to native code is never collected.
    private static readonly NativeLogConfig.LLamaLogCallback Callback = OnLog;

    private static TextWriter? _sink;
    private static bool _verbose;
    private static int _registered;
    private static int _environmentSet;
    private static long _written;
    private static LLamaLogLevel _partialLevel;

    /// <summary>
    /// Routes llama.cpp's log here. Call it before the first native call (it then also catches the
    /// library's own loading messages); later calls only change <paramref name="verbose"/> and
    /// <paramref name="sink"/>, and a first call after the library loaded still takes the log over.
    /// </summary>
    /// <param name="verbose">Forward every line to <paramref name="sink"/> (the CLI's -v).</param>
    /// <param name="sink">Where verbose lines go; null drops them (they are still kept for errors).</param>
    public static void Configure(bool verbose, TextWriter? sink)
    {
        NoBacktraces();
        lock (Gate)
        {
            _verbose = verbose;
            _sink = sink;
        }

        Register();
    }

    /// <summary>The most recent lines of llama.cpp's log (up to 100), oldest first.</summary>
    public static IReadOnlyList<string> RecentLines()
    {
        lock (Gate)
        {
            return Lines.Select(l => l.Text).ToList();
        }
    }

    /// <summary>
    /// Makes sure our callback is the one llama.cpp calls, loading the native library if needed. Another
    /// component may have registered its own callback before the library loaded; after this call it is ours.
    /// </summary>
    internal static void EnsureActive()
    {
        NoBacktraces();
        Register();
        NativeLogConfig.llama_log_set(Callback);
    }

    /// <summary>A position in the log, to ask later for what was written after it.</summary>
    internal static long Mark()
    {
        lock (Gate)
        {
            return _written;
        }
    }

    /// <summary>
    /// What llama.cpp said since <paramref name="mark"/> that explains a failure: its warnings and errors, or
    /// its last lines when it gave none; "(llama.cpp logged nothing)" when it said nothing at all.
    /// </summary>
    internal static string ReasonSince(long mark, int maxLines = 8)
    {
        List<LogLine> since;
        List<LogLine> problems;
        lock (Gate)
        {
            since = Lines.Where(l => l.Sequence > mark).ToList();
            problems = Problems.Where(l => l.Sequence > mark).ToList();
            if (Partial.Length > 0)
            {
                var partial = new LogLine(long.MaxValue, _partialLevel, Partial.ToString());
                since.Add(partial);
                if (IsProblem(partial.Level))
                {
                    problems.Add(partial);
                }
            }
        }

        var chosen = (problems.Count > 0 ? problems : since).TakeLast(maxLines).Select(l => l.Text.Trim()).Where(t => t.Length > 0).ToList();
        return chosen.Count == 0 ? "(llama.cpp logged nothing)" : string.Join("; ", chosen);
    }

    /// <summary>A line from another native logger (mtmd/clip, see Vision/MtmdLog.cs), kept and shown as llama.cpp's own.</summary>
    internal static void Forward(LLamaLogLevel level, string message) => OnLog(level, message);

    /// <summary>Writes an engine message into the same log (kept for errors, shown when verbose).</summary>
    internal static void Note(string message)
    {
        lock (Gate)
        {
            if (_verbose && _sink is not null)
            {
                WriteToSink("nexa: " + message + "\n");
            }

            Remember(LLamaLogLevel.Warning, "nexa: " + message);
        }
    }

    /// <summary>
    /// ggml runs gdb for a backtrace on GGML_ASSERT unless GGML_NO_BACKTRACE is set; that only slows and clutters
    /// a crash. ggml reads it with getenv, and on Unix .NET's SetEnvironmentVariable does not reach the C
    /// environment, so it is set there too (once, before native threads could be reading it).
    /// </summary>
    private static void NoBacktraces()
    {
        if (Interlocked.Exchange(ref _environmentSet, 1) == 1)
        {
            return;
        }

        Environment.SetEnvironmentVariable("GGML_NO_BACKTRACE", "1");
        if (!OperatingSystem.IsWindows())
        {
            _ = SetNativeEnvironment("GGML_NO_BACKTRACE", "1", overwrite: 0);
        }
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetNativeEnvironment(string name, string value, int overwrite);

    private static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        if (!NativeLibraryConfig.LLama.LibraryHasLoaded)
        {
            try
            {
                NativeLibraryConfig.All.WithLogCallback(Callback);
                return;
            }
            catch (InvalidOperationException)
            {
                // Loaded between the check and the call: take the log over below.
            }
        }

        NativeLogConfig.llama_log_set(Callback);
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        lock (Gate)
        {
            if (_verbose && _sink is not null)
            {
                WriteToSink(message);
            }

            // llama.cpp writes a line in pieces (level Continue for the later ones): keep whole lines.
            if (level != LLamaLogLevel.Continue || Partial.Length == 0)
            {
                _partialLevel = level;
            }

            var start = 0;
            int newline;
            while ((newline = message.IndexOf('\n', start)) >= 0)
            {
                Partial.Append(message, start, newline - start);
                Remember(_partialLevel, Partial.ToString());
                Partial.Clear();
                start = newline + 1;
            }

            Partial.Append(message, start, message.Length - start);
        }
    }

    private static void WriteToSink(string text)
    {
        try
        {
            _sink?.Write(text);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A closed sink must not throw into native code.
        }
    }

    private static bool IsProblem(LLamaLogLevel level) => level is LLamaLogLevel.Warning or LLamaLogLevel.Error;

    private static void Remember(LLamaLogLevel level, string text)
    {
        var line = new LogLine(++_written, level, text);
        Lines.Enqueue(line);
        while (Lines.Count > KeptLines)
        {
            Lines.Dequeue();
        }

        if (IsProblem(level))
        {
            Problems.Enqueue(line);
            while (Problems.Count > KeptProblems)
            {
                Problems.Dequeue();
            }
        }
    }

    private sealed record LogLine(long Sequence, LLamaLogLevel Level, string Text);
}
