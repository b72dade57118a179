using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Integration;

/// <summary>The real <c>nexa</c> CLI: <c>run</c> as a client of the real server, <c>infer</c> on the store in-process.</summary>
public sealed class CliAgainstRealServerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
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
        var tokens = CliAnswers.FooterTokens(result.Error);
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
        Assert.InRange(CliAnswers.FooterTokens(result.Error), 1, 8);
    }

    [Fact]
    public async Task Nexa_run_sends_the_grammar_and_every_answer_follows_it()
    {
        var result = await CliRunner.RunAsync(Environment, "run", RealServer.Model, "-p", "one", "-p", "two", "-p", "three",
            "--max-tokens", "20", "--seed", "2", "--temperature", "1", "--grammar-string", """root ::= "yes" | "no" """);

        Assert.True(result.ExitCode == 0, result.All);
        var answers = CliAnswers.Lines(result);
        Assert.Equal(3, answers.Length);
        Assert.All(answers, answer => Assert.Contains(answer, (string[])["yes", "no"]));
    }

    [Fact]
    public async Task Nexa_run_with_enable_json_answers_a_json_object()
    {
        var result = await CliRunner.RunAsync(Environment, "run", RealServer.Model, "-p", "a cat as JSON", "--max-tokens", "300", "--seed", "4",
            "--enable-json");

        Assert.True(result.ExitCode == 0, result.All);
        CliAnswers.AssertJsonObject(result, 300);
    }

    [Fact]
    public async Task Nexa_run_prints_the_servers_400_for_a_bad_grammar_and_exits_1()
    {
        var result = await CliRunner.RunAsync(Environment, "run", RealServer.Model, "-p", "hi", "--max-tokens", "8",
            "--grammar-string", "root ::= \"a\"\nword ::= (\"b\"");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"error: invalid grammar: .+ at 2:\d+", result.Error);
        Assert.Equal("", result.Out);
    }
}
