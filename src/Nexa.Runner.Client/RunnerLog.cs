namespace Nexa.Runner.Client;

/// <summary>The last lines a runner wrote (llama.cpp's last words when it dies), for error messages.</summary>
internal sealed class RunnerLog(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _lock = new();

    public void Add(string line)
    {
        lock (_lock)
        {
            if (_lines.Count == capacity)
                _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock)
            return [.. _lines];
    }
}
