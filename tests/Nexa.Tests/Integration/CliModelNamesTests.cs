using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Integration;

/// <summary>`nexa run` against the real server with names as users type them: any case, and typos answered with the nearest name.</summary>
public sealed class CliModelNamesTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private Dictionary<string, string?> Environment => new()
    {
        ["NEXA_HOST"] = fixture.Server.HostAndPort,
        ["NEXA_DATADIR"] = fixture.Server.TempPath("empty-store"),
        ["HF_ENDPOINT"] = "http://127.0.0.1:9",
    };

    [Fact]
    public async Task Nexa_run_takes_a_pulled_model_in_another_case()
    {
        var result = await CliRunner.RunAsync(Environment, "run", "TINY/Chat", "-p", "hi", "--max-tokens", "4", "--seed", "1");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains(RealServer.LoadedKey, await fixture.Server.LoadedModelsAsync());
    }

    [Fact]
    public async Task Nexa_run_with_a_typo_says_which_pulled_model_is_near()
    {
        var result = await CliRunner.RunAsync(Environment, "run", "tiny/chatt", "-p", "hi");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did you mean 'tiny/chat'", result.Error);
        Assert.Contains("nexa pull tiny/chatt", result.Error);
    }

    [Theory]
    [InlineData("--alias", "gpt-4o-mini")]
    [InlineData("--alias", "gpt 4o=tiny/chat")]
    public async Task Nexa_serve_refuses_a_malformed_alias_before_listening(string flag, string value)
    {
        var result = await CliRunner.RunAsync(Environment, "serve", "--host", "127.0.0.1:0", flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("alias", result.Error);
    }

    [Fact]
    public async Task Nexa_serve_refuses_a_malformed_aliases_variable()
    {
        var environment = Environment;
        environment["NEXA_ALIASES"] = "gpt-4o-mini=tiny/chat;text-embedding-3-small=me/embed";

        var result = await CliRunner.RunAsync(environment, "serve", "--host", "127.0.0.1:0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NEXA_ALIASES", result.Error);
    }
}
