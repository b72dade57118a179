using System.Diagnostics;
using System.Text.Json;

namespace Nexa.Tests.Integration;

/// <summary>
/// The stock npm <c>openai</c> client (tests/clients/node, installed by .ci/run, or by this test from the lock file
/// when missing, so a bare `dotnet test` works too) chats with the server: one plain and one streamed request.
/// Without node the test is skipped; with node but no client after the install attempt it fails.
/// </summary>
public sealed class OpenAiNodeClientTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    // `npm ci` from the committed lock file: the exact client version, from the npm registry.
    private static async Task EnsureInstalledAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(folder, "node_modules", "openai", "package.json")))
                return;
            var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--silent"]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(start)!;
            var output = npm.StandardOutput.ReadToEndAsync();
            var error = npm.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await npm.WaitForExitAsync(timeout.Token);
            Assert.True(npm.ExitCode == 0, $"npm ci in {folder} failed: {await output}{await error}");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    [NodeFact]
    public async Task The_npm_openai_client_chats_plain_and_streamed()
    {
        var folder = ClientFolder();
        await EnsureInstalledAsync(folder);
        Assert.True(File.Exists(Path.Combine(folder, "node_modules", "openai", "package.json")),
            $"the npm openai client is not installed: run `npm install` in {folder} (.ci/run does)");
        var baseUrl = fixture.Server.Server.BaseAddress + "v1";

        var (code, stdout, stderr) = await RunNodeAsync(folder, "chat.mjs", baseUrl, RealServer.Model);

        Assert.True(code == 0, $"node chat.mjs exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        var summary = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        var expectedVersion = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "package.json")))
            .RootElement.GetProperty("dependencies").GetProperty("openai").GetString();
        Assert.Equal(expectedVersion, summary.GetProperty("client").GetString());

        var completion = summary.GetProperty("completion");
        Assert.StartsWith("chatcmpl-", completion.GetProperty("id").GetString());
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.Equal(RealServer.Model, completion.GetProperty("model").GetString());
        Assert.Equal("assistant", completion.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, completion.GetProperty("content").ValueKind);
        Assert.Contains(completion.GetProperty("finish_reason").GetString(), (string[])["stop", "length"]);
        var usage = completion.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 0, 16);

        var stream = summary.GetProperty("stream");
        Assert.StartsWith("chatcmpl-", stream.GetProperty("id").GetString());
        Assert.True(stream.GetProperty("chunks").GetInt32() >= 3, stream.ToString());
        Assert.Equal("assistant", stream.GetProperty("role").GetString());
        Assert.Contains(stream.GetProperty("finish_reason").GetString(), (string[])["stop", "length"]);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        // Same seed, same answer, streamed or not.
        Assert.Equal(completion.GetProperty("content").GetString(), stream.GetProperty("content").GetString());
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    /// <summary>tests/clients/node, found from the test assembly's folder upwards (the repository's root).</summary>
    private static string ClientFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "clients", "node");
            if (File.Exists(Path.Combine(candidate, "chat.mjs")))
                return candidate;
        }
        throw new InvalidOperationException($"no tests/clients/node/chat.mjs above {AppContext.BaseDirectory}");
    }

    private static async Task<(int Code, string Out, string Error)> RunNodeAsync(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
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
}

/// <summary>A fact that needs <c>node</c> on PATH: skipped, saying so, where there is none.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!OnPath("node"))
            Skip = "node is not on PATH: the npm openai client check needs Node.js";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
