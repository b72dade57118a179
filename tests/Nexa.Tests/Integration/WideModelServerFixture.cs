using Nexa.Server;

namespace Nexa.Tests.Integration;

/// <summary>A server whose store also has <see cref="RealServer.WideModel"/>, with a context long enough for long answers.</summary>
public sealed class WideModelServerFixture : RealServerFixture
{
    /// <summary>Up to ~4000 tokens with ignore_eos: tens of seconds of generation on one thread.</summary>
    public const string LongAnswer = "\"max_tokens\":4000,\"ignore_eos\":true,\"stream\":true";

    protected override bool WithWideModel => true;

    protected override ServerOptions Configure(ServerOptions options) => options with { ContextSize = 4096 };
}
