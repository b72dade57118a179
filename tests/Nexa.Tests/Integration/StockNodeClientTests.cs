using System.Text.Json;
using Xunit.Abstractions;

namespace Nexa.Tests.Integration;

/// <summary>
/// What stock npm clients trip over, checked with the clients themselves (tests/clients/node/scenario.mjs): a chat
/// whose only message is a system prompt answers text, plain and streamed; a case variant of a pulled name and an
/// alias resolve, and the answers echo the name sent; a typo is a 404 that says what is near. Each family runs once
/// on the real tiny model and once on the fake engine, which adds embeddings under an alias and of nothing.
/// </summary>
public sealed class StockNodeClientTests(AliasedRealServerFixture real, AliasedFakeServerFixture fake, ITestOutputHelper output)
    : IClassFixture<AliasedRealServerFixture>, IClassFixture<AliasedFakeServerFixture>
{
    [NodeFact]
    public async Task The_npm_openai_client_on_the_tiny_model() =>
        AssertScenario(await NodeClients.RunScenarioAsync("openai.mjs", real.Server.Server.BaseAddress, StockClientNames.RealArguments), "tiny/chat", "openai");

    [NodeFact]
    public async Task The_npm_openai_client_on_the_fake_engine() =>
        AssertScenario(await NodeClients.RunScenarioAsync("openai.mjs", fake.Server.Server.BaseAddress, StockClientNames.FakeArguments), "test/chat", "openai");

    [NodeFact]
    public async Task LangChain_on_the_tiny_model() =>
        AssertScenario(await NodeClients.RunScenarioAsync("langchain.mjs", real.Server.Server.BaseAddress, StockClientNames.RealArguments), "tiny/chat", "@langchain/openai");

    [NodeFact]
    public async Task LangChain_on_the_fake_engine() =>
        AssertScenario(await NodeClients.RunScenarioAsync("langchain.mjs", fake.Server.Server.BaseAddress, StockClientNames.FakeArguments), "test/chat", "@langchain/openai");

    [NodeFact]
    public async Task The_vercel_ai_sdk_on_the_tiny_model() =>
        AssertScenario(await NodeClients.RunScenarioAsync("ai-sdk.mjs", real.Server.Server.BaseAddress, StockClientNames.RealArguments), "tiny/chat", "ai");

    [NodeFact]
    public async Task The_vercel_ai_sdk_on_the_fake_engine() =>
        AssertScenario(await NodeClients.RunScenarioAsync("ai-sdk.mjs", fake.Server.Server.BaseAddress, StockClientNames.FakeArguments), "test/chat", "ai");

    private void AssertScenario(JsonElement summary, string pulled, string package)
    {
        var args = summary.ToString();
        output.WriteLine(args);
        Assert.Equal(NodeClients.PinnedVersion(package), summary.GetProperty("client").GetString());
        AssertText(summary, "systemOnly");
        AssertText(summary, "systemOnlyStream");
        AssertText(summary, "caseVariant");
        AssertText(summary, "alias");
        AssertText(summary, "aliasStream");
        // Answers echo the name the client sent.
        Assert.Equal(StockClientNames.ChatAlias, Step(summary, "alias").GetProperty("model").GetString());
        Assert.True(Step(summary, "caseVariant").GetProperty("model").GetString() is "TINY/Chat" or "Test/CHAT", args);

        if (summary.TryGetProperty("warmUpStream", out var warmUp))
        {
            Assert.True(warmUp.GetProperty("ok").GetBoolean(), args);
            Assert.Equal("", warmUp.GetProperty("text").GetString());
        }

        var missing = Step(summary, "missing");
        Assert.False(missing.GetProperty("ok").GetBoolean(), args);
        var error = missing.GetProperty("error").GetString()!;
        Assert.Contains("did you mean", error);
        Assert.Contains($"'{pulled}'", error);
        if (missing.GetProperty("status").ValueKind == JsonValueKind.Number)
            Assert.Equal(404, missing.GetProperty("status").GetInt32());

        if (summary.TryGetProperty("embed", out var embed))
        {
            Assert.True(embed.GetProperty("ok").GetBoolean(), args);
            Assert.Equal(2, embed.GetProperty("count").GetInt32());
            Assert.True(embed.GetProperty("dimensions").GetInt32() > 0, args);
            var nothing = Step(summary, "embedNothing");
            Assert.True(nothing.GetProperty("ok").GetBoolean(), args);
            Assert.Equal(0, nothing.GetProperty("count").GetInt32());
        }
    }

    private static void AssertText(JsonElement summary, string step)
    {
        var result = Step(summary, step);
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{step}: {result}");
        Assert.False(string.IsNullOrEmpty(result.GetProperty("text").GetString()), $"{step} answered no text: {result}");
    }

    private static JsonElement Step(JsonElement summary, string step) =>
        summary.TryGetProperty(step, out var result) ? result : throw new Xunit.Sdk.XunitException($"no step {step} in {summary}");
}
