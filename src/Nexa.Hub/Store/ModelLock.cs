namespace Nexa.Hub.Store;

/// <summary>
/// An OS file lock on <c>models/&lt;org&gt;/&lt;repo&gt;.lock</c> (flock on Unix, a share lock on Windows), held by
/// the one process writing or deleting that model. The OS drops it when the process dies, so a killed
/// pull never leaves the model locked.
/// </summary>
public sealed class ModelLock : IDisposable
{
    private readonly FileStream _stream;

    private ModelLock(FileStream stream) => _stream = stream;

    public string Path => _stream.Name;

    public static ModelLock? TryAcquire(string lockPath)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockPath)!);
        try
        {
            return new ModelLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for the lock, calling <paramref name="onWait"/> once if it is held by another process.</summary>
    public static async Task<ModelLock> AcquireAsync(string lockPath, Action? onWait, CancellationToken ct)
    {
        var waited = false;
        while (true)
        {
            if (TryAcquire(lockPath) is { } held)
                return held;
            if (!waited)
            {
                onWait?.Invoke();
                waited = true;
            }
            await Task.Delay(200, ct);
        }
    }

    public void Dispose() => _stream.Dispose();
}
