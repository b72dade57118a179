namespace Nexa.Server.Hosting;

/// <summary>Refuses settings the server cannot run with, naming the `nexa serve` flag, before anything binds.</summary>
internal static class OptionsCheck
{
    public static void Validate(ServerOptions options)
    {
        Require(!string.IsNullOrWhiteSpace(options.DataDir), "the data dir must be set");
        Require(options.Parallel >= 1, "--parallel must be at least 1");
        Require(options.MaxModels is null or >= 1, "--max-models must be at least 1");
        Require(options.QueueSize >= 0, "the queue size must be 0 or more");
        Require(options.ContextSize >= 1, "--ctx-size must be at least 1");
        Require(options.Threads >= 0, "--threads must be 0 (one per core) or more");
        Require(options.MaxBodyBytes >= 1024, "the request body limit must be at least 1024 bytes");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new ServerStartException(message);
    }
}
