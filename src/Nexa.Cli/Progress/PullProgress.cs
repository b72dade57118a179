using Nexa.Hub.Pull;

namespace Nexa.Cli.Progress;

/// <summary>Pull progress for the user: live bars in a terminal, plain lines otherwise (logs, CI, pipes).</summary>
internal abstract class PullProgress : IPullProgress, IAsyncDisposable
{
    public static PullProgress Create(CliEnvironment env) =>
        env.IsInteractive ? new LiveBarsProgress(env) : new PlainLinesProgress(env.Out);

    public abstract void FileStarted(string file, long size, long alreadyOnDisk);
    public abstract void BytesReceived(string file, long count);
    public abstract void FileVerifying(string file);
    public abstract void FileCompleted(string file);
    public abstract void Info(string message);
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
