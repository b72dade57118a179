using System.Diagnostics;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>
/// The stock npm clients in tests/clients/node (installed by .ci/run, or here from the committed lock file when one
/// is missing, so a bare `dotnet test` works too), and a way to run their scripts with node.
/// </summary>
internal static class NodeClients
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(90);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>tests/clients/node, found from the test assembly's folder upwards (the repository's root).</summary>
    public static string Folder { get; } = FindFolder();

    /// <summary>The exact version package.json pins for <paramref name="package"/>.</summary>
    public static string PinnedVersion(string package) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "package.json"))).RootElement
            .GetProperty("dependencies").GetProperty(package).GetString()!;

    /// <summary>`npm ci` when a pinned client is missing; fails, naming it, when it is still missing after.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Missing().Count == 0)
                return;
            var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--silent"]) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(start)!;
            var output = npm.StandardOutput.ReadToEndAsync();
            var error = npm.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await npm.WaitForExitAsync(timeout.Token);
            Assert.True(npm.ExitCode == 0, $"npm ci in {Folder} failed: {await output}{await error}");
            var missing = Missing();
            Assert.True(missing.Count == 0, $"the npm clients {string.Join(", ", missing)} are not installed: run `npm ci` in {Folder} (.ci/run does)");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs one family's scenario script (scenario.mjs) and returns its JSON summary; a non-zero exit fails.</summary>
    public static async Task<JsonElement> RunScenarioAsync(string script, Uri serverAddress, object arguments)
    {
        await EnsureInstalledAsync();
        var (code, stdout, stderr) = await RunAsync(script, serverAddress + "v1", JsonSerializer.Serialize(arguments));
        Assert.True(code == 0, $"node {script} exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
    }

    public static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(NodeTimeout);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"node {string.Join(' ', args)} did not finish within {NodeTimeout.TotalSeconds:0} s");
        }
        return (node.ExitCode, await stdout, await stderr);
    }

    private static List<string> Missing()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "package.json")));
        return [.. json.RootElement.GetProperty("dependencies").EnumerateObject()
            .Select(d => d.Name)
            .Where(name => !File.Exists(Path.Combine(Folder, "node_modules", name, "package.json")))];
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "clients", "node");
            if (File.Exists(Path.Combine(candidate, "package.json")))
                return candidate;
        }
        throw new InvalidOperationException($"no tests/clients/node/package.json above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that needs <c>node</c> on PATH: skipped, saying so, where there is none.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!OnPath("node"))
            Skip = "node is not on PATH: the npm client checks need Node.js";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
