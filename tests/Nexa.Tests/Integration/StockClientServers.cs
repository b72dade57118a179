using Nexa.Server;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>
/// The names stock clients send, as the client tests use them: a fixed alias a tool sends unchanged, a case variant
/// of a pulled name, and a typo of one (404 with "did you mean").
/// </summary>
public static class StockClientNames
{
    public const string ChatAlias = "gpt-4o-mini";
    public const string EmbeddingAlias = "text-embedding-3-small";

    public static object RealArguments => new { model = RealServer.Model, variant = "TINY/Chat", alias = ChatAlias, missing = "tiny/chatt" };

    public static object FakeArguments => new
    {
        model = ServerHarness.ChatModel,
        variant = "Test/CHAT",
        alias = ChatAlias,
        missing = "test/chatt",
        embedAlias = EmbeddingAlias,
    };
}

/// <summary>The real server over the tiny model, with <see cref="StockClientNames.ChatAlias"/> standing for it.</summary>
public sealed class AliasedRealServerFixture : RealServerFixture
{
    protected override ServerOptions Configure(ServerOptions options) =>
        options with { Aliases = [ModelAlias.Parse($"{StockClientNames.ChatAlias}={RealServer.Model}")] };
}

/// <summary>The server over the fake engine (fast), with a chat and an embedding alias.</summary>
public sealed class AliasedFakeServerFixture : IAsyncLifetime
{
    public ServerHarness Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerHarness.StartAsync(options => options with
    {
        Aliases =
        [
            ModelAlias.Parse($"{StockClientNames.ChatAlias}={ServerHarness.ChatModel}"),
            ModelAlias.Parse($"{StockClientNames.EmbeddingAlias}={ServerHarness.Embedder}"),
        ],
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
