using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Nexa.Hub.HuggingFace;

namespace Nexa.Hub.Pull;

public sealed record DownloadOptions
{
    /// <summary>Parallel ranged connections per file.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Files smaller than this are fetched over one connection.</summary>
    public long MinChunkSize { get; init; } = 8L << 20;

    public long MaxChunkSize { get; init; } = 64L << 20;

    /// <summary>Attempts per range without progress before the pull fails.</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A connection that delivers no byte for this long is dropped and retried.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Downloads one file in parallel byte ranges into <c>&lt;file&gt;.partial</c>, recording finished ranges in
/// <c>&lt;file&gt;.partial.json</c> so an interrupted or killed download resumes; retries dropped connections
/// from where they stopped; checks the hash before the file takes its final name.
/// </summary>
public sealed class FileDownloader(HttpClient http, HubClient hub, DownloadOptions options)
{
    private const int BufferSize = 256 << 10;
    private const long SaveEveryBytes = 4L << 20;

    public async Task DownloadAsync(Uri url, RepoFile remote, string target, IPullProgress progress, CancellationToken ct)
    {
        var name = remote.Path;
        var partial = target + ".partial";
        var statePath = partial + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var state = DownloadState.Load(statePath);
        if (state is null || state.Size != remote.Size || state.Sha256 != remote.Sha256 || state.GitOid != remote.GitOid || !File.Exists(partial))
        {
            File.Delete(partial);
            var chunkSize = Math.Clamp(remote.Size / Math.Max(1, options.Connections), options.MinChunkSize, options.MaxChunkSize);
            state = DownloadState.New(remote.Size, remote.Sha256, remote.GitOid, chunkSize);
        }
        progress.FileStarted(name, remote.Size, state.Downloaded);

        using (var handle = File.OpenHandle(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read))
        {
            if (RandomAccess.GetLength(handle) != remote.Size)
                RandomAccess.SetLength(handle, remote.Size);
            state.Save(statePath);
            var saver = new StateSaver(state, statePath);
            try
            {
                var queue = new Queue<DownloadChunk>(state.Chunks.Where(c => c.Remaining > 0));
                var workers = Enumerable.Range(0, Math.Max(1, Math.Min(options.Connections, queue.Count)))
                    .Select(_ => Task.Run(() => WorkAsync(url, name, handle, queue, saver, progress, ct), ct));
                await Task.WhenAll(workers);
            }
            finally
            {
                saver.SaveNow();
            }
        }

        progress.FileVerifying(name);
        await VerifyAsync(partial, remote, ct);
        File.Move(partial, target, overwrite: true);
        File.Delete(statePath);
        progress.FileCompleted(name);
    }

    private async Task WorkAsync(Uri url, string name, SafeFileHandle handle, Queue<DownloadChunk> queue, StateSaver saver, IPullProgress progress, CancellationToken ct)
    {
        while (true)
        {
            DownloadChunk? chunk;
            lock (queue)
                queue.TryDequeue(out chunk);
            if (chunk is null)
                return;
            await FetchChunkAsync(url, name, handle, chunk, saver, progress, ct);
        }
    }

    private async Task FetchChunkAsync(Uri url, string name, SafeFileHandle handle, DownloadChunk chunk, StateSaver saver, IPullProgress progress, CancellationToken ct)
    {
        var attempt = 0;
        var buffer = new byte[BufferSize];
        while (chunk.Remaining > 0)
        {
            var before = chunk.Done;
            try
            {
                await FetchRangeAsync(url, handle, chunk, buffer, saver, count => progress.BytesReceived(name, count), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsTransient(e))
            {
                attempt = chunk.Done > before ? 1 : attempt + 1;
                if (attempt >= options.MaxAttempts)
                    throw new HubException(HubErrorKind.Network, $"download of {name} failed after {attempt} attempts: {Describe(e)}", e);
                var delay = options.FirstRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 5));
                progress.Info($"{name}: {Describe(e)}; retrying from byte {chunk.Next:N0} in {delay.TotalSeconds:0.#} s");
                await Task.Delay(delay, ct);
            }
        }
    }

    private async Task FetchRangeAsync(Uri url, SafeFileHandle handle, DownloadChunk chunk, byte[] buffer, StateSaver saver, Action<long> received, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        hub.Authorize(request);
        request.Headers.Range = new RangeHeaderValue(chunk.Next, chunk.End - 1);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(options.ReadTimeout);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpStatusException(response.StatusCode, response.ReasonPhrase);
        if (response.StatusCode != HttpStatusCode.PartialContent && chunk.Next != 0)
            throw new HubException(HubErrorKind.Network, $"the server ignored a range request for {url} (answered {(int)response.StatusCode} instead of 206)");

        await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
        while (chunk.Remaining > 0)
        {
            idle.CancelAfter(options.ReadTimeout);
            var want = (int)Math.Min(buffer.Length, chunk.Remaining);
            var read = await body.ReadAsync(buffer.AsMemory(0, want), idle.Token);
            if (read == 0)
                throw new IOException($"the connection closed {chunk.Remaining:N0} bytes before the end of the range");
            await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, read), chunk.Next, ct);
            saver.Advance(chunk, read);
            received(read);
        }
    }

    private static async Task VerifyAsync(string path, RepoFile remote, CancellationToken ct)
    {
        if (remote.Sha256 is null && remote.GitOid is null)
            return;
        using var hash = remote.Sha256 is not null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        if (remote.Sha256 is null)
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {remote.Size}\0")); // git's blob id
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                hash.AppendData(buffer, 0, read);
        }
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        var expected = (remote.Sha256 ?? remote.GitOid)!.ToLowerInvariant();
        if (actual != expected)
        {
            File.Delete(path);
            File.Delete(path + ".json");
            throw new HubException(HubErrorKind.Integrity,
                $"{remote.Path} is corrupt: its {(remote.Sha256 is null ? "git SHA-1" : "SHA-256")} is {actual}, the hub says {expected}; the file was deleted, pull again");
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        HttpStatusException s => (int)s.Status is 408 or 425 or 429 or >= 500,
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => true, // our read timeout; the caller's token is checked by the filter
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        HttpStatusException s => $"server answered {(int)s.Status} {s.Reason}",
        OperationCanceledException => "no data for too long",
        _ => e.Message,
    };

    private sealed class HttpStatusException(HttpStatusCode status, string? reason) : Exception($"HTTP {(int)status} {reason}")
    {
        public HttpStatusCode Status { get; } = status;
        public string? Reason { get; } = reason;
    }

    /// <summary>Records progress in the sidecar every few MiB or second, so a killed pull loses little.</summary>
    private sealed class StateSaver(DownloadState state, string path)
    {
        private readonly Lock _gate = new();
        private readonly Stopwatch _sinceSave = Stopwatch.StartNew();
        private long _unsaved;

        public void Advance(DownloadChunk chunk, long bytes)
        {
            lock (_gate)
            {
                chunk.Done += bytes;
                _unsaved += bytes;
                if (_unsaved >= SaveEveryBytes || _sinceSave.ElapsedMilliseconds > 1000)
                    SaveLocked();
            }
        }

        public void SaveNow()
        {
            lock (_gate)
                SaveLocked();
        }

        private void SaveLocked()
        {
            state.Save(path);
            _unsaved = 0;
            _sinceSave.Restart();
        }
    }
}
