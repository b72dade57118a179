using System.Diagnostics;

namespace Nexa.Tests.Integration;

/// <summary>
/// Finds the runner child processes of this test process from the outside, as <c>ps</c> would: a child whose
/// command line has <c>runner</c> and <c>--model &lt;path&gt;</c>. Linux only (/proc), like the runners' sockets.
/// </summary>
public static class RunnerProcesses
{
    /// <summary>Runners loading or serving exactly <paramref name="modelPath"/>.</summary>
    public static IReadOnlyList<int> Serving(string modelPath) => Find(model => model == modelPath);

    /// <summary>Runners of any model under <paramref name="folder"/>.</summary>
    public static IReadOnlyList<int> Under(string folder) =>
        Find(model => model.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>SIGKILL: no chance to say goodbye, as when the OOM killer or a native crash takes a runner.</summary>
    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Our child <paramref name="pid"/> exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } stat && stat.State is not ("Z" or "X") && stat.Parent == Environment.ProcessId;

    /// <summary>Gone from the process table: exited and reaped by this process (so .NET has seen it exit).</summary>
    public static bool IsGone(int pid) => Stat(pid) is null;

    private static List<int> Find(Func<string, bool> modelMatches)
    {
        var found = new List<int>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                var args = CommandLine(process.Id);
                var model = args.IndexOf("--model");
                if (args.Contains("runner") && model >= 0 && model + 1 < args.Count && modelMatches(args[model + 1])
                    && ParentOf(process.Id) == Environment.ProcessId)
                    found.Add(process.Id);
            }
        }
        return found;
    }

    private static List<string> CommandLine(int pid)
    {
        try
        {
            return [.. File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static int? ParentOf(int pid) => Stat(pid)?.Parent;

    private static (string State, int Parent)? Stat(int pid)
    {
        try
        {
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
