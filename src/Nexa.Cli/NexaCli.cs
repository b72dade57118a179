namespace Nexa.Cli;

public static class NexaCli
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
