using System.Globalization;

namespace Nexa.Bench;

/// <summary>Peak resident memory (VmHWM) of this process and of the runner processes it started, from /proc.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak RSS in MiB of a live process; 0 where /proc cannot tell (not Linux, or it has exited).</summary>
    public static double PeakMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Starts this process's peak RSS afresh (Linux ≥ 4.0: writing 5 to clear_refs), so a phase measures its own.</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The peak then covers the whole run so far; the report still shows it.
        }
    }

    /// <summary>Child processes of this one whose command line names the runner (the server's `nexa runner`s).</summary>
    public static IReadOnlyList<int> Runners()
    {
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (ppid == self && File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').Contains("runner"))
                    found.Add(pid);
            }
            catch (IOException)
            {
                // It exited while we looked.
            }
        }

        return found;
    }
}
