using System.Globalization;
using System.Text.RegularExpressions;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Integration;

/// <summary>The real <c>nexa</c> CLI: <c>run</c> as a client of the real server, <c>infer</c> on the store in-process.</summary>
public sealed partial class CliAgainstRealServerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private RealServer Server => fixture.Server;

    /// <summary>
    /// The server's address; a default store that is empty, so only --data-dir can find the model; and a hub where
    /// nothing listens, so a command that went looking for the model online fails here instead of downloading.
    /// </summary>
    private Dictionary<string, string?> Environment => new()
    {
        ["NEXA_HOST"] = Server.HostAndPort,
        ["NEXA_DATADIR"] = Server.TempPath("empty-store"),
        ["HF_ENDPOINT"] = "http://127.0.0.1:9",
    };

    [Fact]
    public async Task Nexa_run_prints_the_answer_on_stdout_and_the_footer_on_stderr()
    {
        var result = await CliRunner.RunAsync(Environment, "run", RealServer.Model, "-p", "hi", "--max-tokens", "8", "--seed", "1");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.False(string.IsNullOrWhiteSpace(result.Out), result.All);
        var tokens = FooterTokens(result.Error);
        Assert.InRange(tokens, 1, 8);
        Assert.DoesNotContain("tok/s", result.Out);
    }

    [Fact]
    public async Task Nexa_ps_lists_the_loaded_model_with_its_slots_and_memory()
    {
        await Answers.CompleteAsync(Server, RealServer.ChatBody("hi", "\"max_tokens\":4"));

        var result = await CliRunner.RunAsync(Environment, "ps");

        Assert.True(result.ExitCode == 0, result.All);
        var row = result.Out.Split('\n').Single(l => l.Contains(RealServer.LoadedKey, StringComparison.Ordinal));
        Assert.Contains("loaded", row);
        Assert.Matches(@"\b\d/4\b", row);
        Assert.Matches(@"\d+/\d+ tok", row);
        Assert.Matches(@"\d+(\.\d)? (KB|MB|GB)", row);
    }

    [Fact]
    public async Task Nexa_ps_without_a_server_exits_1_and_says_to_start_one()
    {
        var environment = Environment;
        environment["NEXA_HOST"] = "127.0.0.1:9";

        var result = await CliRunner.RunAsync(environment, "ps");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nexa serve", result.Error);
    }

    [Fact]
    public async Task Nexa_run_for_a_model_not_pulled_exits_1_and_says_to_pull_it()
    {
        var result = await CliRunner.RunAsync(Environment, "run", RealServer.MissingModel, "-p", "hi", "--max-tokens", "8");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pull", result.Error);
        Assert.DoesNotContain(await Server.LoadedModelsAsync(), m => m.StartsWith(RealServer.MissingModel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nexa_infer_answers_in_process_from_the_same_store()
    {
        var result = await CliRunner.RunAsync(Environment, "infer", RealServer.Model, "-p", "hi", "--max-tokens", "8", "--seed", "1",
            "--threads", "1", "--nctx", "512", "--data-dir", Server.DataDir);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.False(string.IsNullOrWhiteSpace(result.Out), result.All);
        Assert.InRange(FooterTokens(result.Error), 1, 8);
    }

    private static int FooterTokens(string stderr)
    {
        var footer = FooterPattern().Match(stderr);
        Assert.True(footer.Success, $"no footer in: {stderr}");
        return int.Parse(footer.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"tok/s • (\d+) tok • ")]
    private static partial Regex FooterPattern();
}
