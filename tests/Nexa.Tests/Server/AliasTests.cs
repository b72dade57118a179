using System.Net;
using Nexa.Server;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// <c>nexa serve --alias NAME=org/repo[:QUANT]</c>: tools that send a fixed model name work unchanged. The alias is
/// listed, described, answered under the name sent, shares the target's loaded instance, and an alias whose model is
/// not pulled is a start-time warning and a 404 naming that model.
/// </summary>
public sealed class AliasTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(options => options with
    {
        Aliases =
        [
            ModelAlias.Parse("gpt-4o-mini=test/chat"),
            ModelAlias.Parse("text-embedding-3-small=TEST/embed"),
            ModelAlias.Parse("gpt-4o=nobody/nothing:Q4_K_M"),
            ModelAlias.Parse("big=test/chat:Q8_0"),
            ModelAlias.Parse("gpt-4o-mini=NexaAI/Qwen3-0.6B-GGUF:Q8_0"), // a later alias of the same name wins
        ],
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("GPT-4o-Mini")]
    public async Task A_chat_under_an_alias_runs_its_model_and_echoes_the_alias(string alias)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(alias));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(alias, (await Wire.JsonAsync(response)).Str("model"));
        Assert.Single(_server.Launcher.ModelsOf(ServerHarness.SeedModel));
        Assert.Equal(["NexaAI/Qwen3-0.6B-GGUF:Q8_0"], (await Wire.JsonAsync(await _server.Http.GetAsync("/health")))
            .GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Embeddings_under_an_alias_and_the_real_name_share_one_instance()
    {
        using var aliased = await _server.PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":["a","b"]}""");
        using var direct = await _server.PostAsync("/v1/embeddings", """{"model":"test/embed","input":"c"}""");

        Assert.Equal("text-embedding-3-small", (await Wire.JsonAsync(aliased)).Str("model"));
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(1, _server.Launcher.Launches);
    }

    [Fact]
    public async Task The_model_list_shows_the_aliases_whose_model_is_pulled()
    {
        var ids = (await Wire.JsonAsync(await _server.Http.GetAsync("/v1/models"))).GetProperty("data").EnumerateArray().Select(m => m.Str("id")).ToList();

        Assert.Contains("gpt-4o-mini", ids);
        Assert.Contains("text-embedding-3-small", ids);
        Assert.Contains("test/chat", ids);
        Assert.DoesNotContain("gpt-4o", ids); // its model is not pulled
        Assert.DoesNotContain("big", ids); // its quant is not downloaded
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Describing_an_alias_names_the_alias()
    {
        using var response = await _server.Http.GetAsync("/v1/models/text-embedding-3-small");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = await Wire.JsonAsync(response);
        Assert.Equal("text-embedding-3-small", card.Str("id"));
        Assert.Equal("test", card.Str("owned_by"));
    }

    [Theory]
    [InlineData("gpt-4o", "nobody/nothing:Q4_K_M")]
    [InlineData("big", "Q8_0")]
    public async Task An_alias_whose_model_is_not_pulled_is_404_naming_that_model(string alias, string named)
    {
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(alias));

        var error = await Wire.ErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.Str("code"));
        Assert.Contains(named, error.Str("message"));
        Assert.Equal(0, _server.Launcher.Launches);
        await Wire.ErrorAsync(await _server.Http.GetAsync($"/v1/models/{alias}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public void The_server_warns_at_start_about_aliases_it_cannot_serve()
    {
        var warnings = _server.Server.Warnings;

        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("gpt-4o:", StringComparison.Ordinal) && w.Contains("nobody/nothing:Q4_K_M is not pulled", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("alias big", StringComparison.Ordinal) && w.Contains("no quant Q8_0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_alias_named_like_a_pulled_model_wins_and_is_warned_about()
    {
        await using var server = await ServerHarness.StartAsync(options => options with { Aliases = [ModelAlias.Parse("test/beta=test/chat")] });

        Assert.Contains(server.Server.Warnings, w => w.Contains("hides the pulled model test/beta", StringComparison.Ordinal));
        (await server.PostChatAsync(ServerHarness.ChatBody("test/beta"))).EnsureSuccessStatusCode();
        Assert.Single(server.Launcher.ModelsOf(ServerHarness.ChatModel));
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("=test/chat")]
    [InlineData("my alias=test/chat")]
    [InlineData("x=a/b/c")]
    public void A_malformed_alias_is_refused_with_the_expected_shape(string spec) =>
        Assert.Throws<FormatException>(() => ModelAlias.Parse(spec));

    [Fact]
    public void The_aliases_variable_is_comma_separated()
    {
        var aliases = ModelAlias.ParseList(" gpt-4o-mini=test/chat , ,text-embedding-3-small=test/embed:q8_0");

        Assert.Equal(["gpt-4o-mini=test/chat", "text-embedding-3-small=test/embed:Q8_0"], aliases.Select(a => a.ToString()));
    }
}
