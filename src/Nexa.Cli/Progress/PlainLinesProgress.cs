using System.Collections.Concurrent;
using System.Diagnostics;
using Nexa.Hub;

namespace Nexa.Cli.Progress;

/// <summary>One line when a file starts, every 10 % and when it is verified: readable in a log file.</summary>
internal sealed class PlainLinesProgress(TextWriter output) : PullProgress
{
    private sealed class FileState(long size, long start)
    {
        public readonly long Size = size;
        public readonly long Start = start;
        public long Done = start;
        public int LastDecile = (int)(size == 0 ? 10 : start * 10 / size);
        public readonly Stopwatch Clock = Stopwatch.StartNew();
    }

    private readonly ConcurrentDictionary<string, FileState> _files = new();
    private readonly Lock _write = new();

    public override void FileStarted(string file, long size, long alreadyOnDisk)
    {
        _files[file] = new FileState(size, alreadyOnDisk);
        Line(alreadyOnDisk > 0
            ? $"resuming {file}: {Bytes.Format(alreadyOnDisk)} of {Bytes.Format(size)} already downloaded"
            : $"downloading {file} ({Bytes.Format(size)})");
    }

    public override void BytesReceived(string file, long count)
    {
        if (!_files.TryGetValue(file, out var state))
            return;
        var done = Interlocked.Add(ref state.Done, count);
        var decile = state.Size == 0 ? 10 : (int)(done * 10 / state.Size);
        var last = state.LastDecile;
        if (decile > last && Interlocked.CompareExchange(ref state.LastDecile, decile, last) == last)
        {
            var seconds = Math.Max(state.Clock.Elapsed.TotalSeconds, 1e-3);
            var speed = (done - state.Start) / seconds;
            var eta = speed > 0 ? TimeSpan.FromSeconds((state.Size - done) / speed) : TimeSpan.Zero;
            Line($"{file}: {decile * 10,3}%  {Bytes.Format(done)} / {Bytes.Format(state.Size)}  {Bytes.Format((long)speed)}/s  ETA {eta:hh\\:mm\\:ss}");
        }
    }

    public override void FileVerifying(string file) => Line($"{file}: verifying");

    public override void FileCompleted(string file) => Line($"{file}: done");

    public override void Info(string message) => Line(message);

    private void Line(string text)
    {
        lock (_write)
            output.WriteLine(text);
    }
}
