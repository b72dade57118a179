using System.Collections.Concurrent;
using Spectre.Console;

namespace Nexa.Cli.Progress;

/// <summary>
/// A live progress bar per file (bytes, speed, ETA). The display starts with the first file, so a quant
/// prompt can come before it, and messages are printed once the bars are gone.
/// </summary>
internal sealed class LiveBarsProgress(CliEnvironment env) : PullProgress
{
    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new();
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly TaskCompletionSource<ProgressContext> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _display;
    private readonly Lock _gate = new();

    public override void FileStarted(string file, long size, long alreadyOnDisk)
    {
        var context = EnsureDisplay();
        var task = context.AddTask(Markup.Escape(file), maxValue: Math.Max(size, 1));
        task.Increment(alreadyOnDisk);
        _tasks[file] = task;
    }

    public override void BytesReceived(string file, long count)
    {
        if (_tasks.TryGetValue(file, out var task))
            task.Increment(count);
    }

    public override void FileVerifying(string file)
    {
        if (_tasks.TryGetValue(file, out var task))
            task.Description = Markup.Escape(file) + " [grey](verifying)[/]";
    }

    public override void FileCompleted(string file)
    {
        if (_tasks.TryGetValue(file, out var task))
        {
            task.Description = Markup.Escape(file);
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    public override void Info(string message)
    {
        if (_display is null)
            env.Out.WriteLine(message);
        else
            _messages.Enqueue(message);
    }

    public override async ValueTask DisposeAsync()
    {
        _finished.TrySetResult();
        if (_display is not null)
            await _display;
        while (_messages.TryDequeue(out var message))
            await env.Out.WriteLineAsync(message);
    }

    private ProgressContext EnsureDisplay()
    {
        lock (_gate)
        {
            _display ??= Consoles.For(env.Out, interactive: true).Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new DownloadedColumn(),
                    new TransferSpeedColumn(),
                    new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    _ready.TrySetResult(context);
                    await _finished.Task;
                });
        }
        return _ready.Task.GetAwaiter().GetResult();
    }
}
