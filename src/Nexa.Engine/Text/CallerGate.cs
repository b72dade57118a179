namespace Nexa.Engine.Text;

/// <summary>
/// Keeps a model's weights alive while callers use them on their own threads (tokenizing a request, preparing its
/// images) without making them wait for each other: each caller enters and leaves; closing waits for those inside,
/// and no one enters after. A lock held while tokenizing would make every request to the model wait behind the
/// longest text anyone sent.
/// </summary>
internal sealed class CallerGate
{
    private readonly Lock _lock = new();
    private int _inside;
    private bool _closed;
    private TaskCompletionSource? _drained;

    /// <summary>Enters; throws <see cref="ObjectDisposedException"/> once the gate is closed. Dispose the result to leave.</summary>
    public Caller Enter(object owner)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, owner);
            _inside++;
        }

        return new Caller(this);
    }

    /// <summary>Closes the gate; true the first time. The task ends when the last caller inside has left.</summary>
    public bool Close(out Task drained)
    {
        lock (_lock)
        {
            if (_closed)
            {
                drained = Task.CompletedTask;
                return false;
            }

            _closed = true;
            if (_inside == 0)
            {
                drained = Task.CompletedTask;
            }
            else
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }

            return true;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (--_inside == 0 && _closed)
            {
                drained = _drained;
            }
        }

        drained?.TrySetResult();
    }

    public readonly struct Caller(CallerGate gate) : IDisposable
    {
        public void Dispose() => gate.Leave();
    }
}
