namespace Nexa.Runner.Host;

/// <summary>
/// Completes when stdin reaches its end: the server closes it to unload the model, and the kernel closes it when the
/// server dies, so a runner never outlives its server. A dedicated thread, because reads of stdin block.
/// </summary>
internal static class StandardInputWatcher
{
    public static Task WhenClosed()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer) > 0)
                {
                    // Anything written is ignored: only the end of the stream means something.
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                closed.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "stdin watcher",
        };
        thread.Start();
        return closed.Task;
    }
}
