namespace Nexa.Hub.Pull;

/// <summary>What a pull tells its user while it runs. Calls may come from several threads at once.</summary>
public interface IPullProgress
{
    /// <summary>A file starts (or resumes, with <paramref name="alreadyOnDisk"/> bytes kept from before).</summary>
    void FileStarted(string file, long size, long alreadyOnDisk);

    void BytesReceived(string file, long count);

    void FileVerifying(string file);

    void FileCompleted(string file);

    /// <summary>A line of information (a retry, a default taken, a lock waited for).</summary>
    void Info(string message);
}

public sealed class NullPullProgress : IPullProgress
{
    public static NullPullProgress Instance { get; } = new();

    public void FileStarted(string file, long size, long alreadyOnDisk) { }
    public void BytesReceived(string file, long count) { }
    public void FileVerifying(string file) { }
    public void FileCompleted(string file) { }
    public void Info(string message) { }
}
