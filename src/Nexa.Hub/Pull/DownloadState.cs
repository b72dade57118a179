using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexa.Hub.Pull;

/// <summary>One byte range of a file being downloaded; <c>Done</c> bytes from <c>Start</c> are on disk.</summary>
internal sealed class DownloadChunk
{
    public long Start { get; init; }
    public long End { get; init; }
    public long Done { get; set; }

    [JsonIgnore] public long Next => Start + Done;
    [JsonIgnore] public long Remaining => End - Next;
}

/// <summary>
/// The sidecar of a <c>.partial</c> file: which ranges are on disk, and for which remote file (size and hash),
/// so that a later pull resumes exactly where an interrupted or killed one stopped.
/// </summary>
internal sealed class DownloadState
{
    public long Size { get; init; }
    public string? Sha256 { get; init; }
    public string? GitOid { get; init; }
    public List<DownloadChunk> Chunks { get; init; } = [];

    [JsonIgnore] public long Downloaded => Chunks.Sum(c => c.Done);

    public static DownloadState New(long size, string? sha256, string? gitOid, long chunkSize)
    {
        var chunks = new List<DownloadChunk>();
        for (long start = 0; start < size; start += chunkSize)
            chunks.Add(new DownloadChunk { Start = start, End = Math.Min(size, start + chunkSize) });
        if (chunks.Count == 0)
            chunks.Add(new DownloadChunk { Start = 0, End = 0 });
        return new DownloadState { Size = size, Sha256 = sha256, GitOid = gitOid, Chunks = chunks };
    }

    public static DownloadState? Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var state = JsonSerializer.Deserialize(stream, DownloadStateJsonContext.Default.DownloadState);
            // A state that does not add up (hand-edited, half-written) is ignored: the file restarts.
            return state is not null && state.Chunks.All(c => c.Done >= 0 && c.Start + c.Done <= c.End && c.End <= state.Size) ? state : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Save(string path)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            JsonSerializer.Serialize(stream, this, DownloadStateJsonContext.Default.DownloadState);
        File.Move(temp, path, overwrite: true);
    }
}

[JsonSerializable(typeof(DownloadState))]
internal sealed partial class DownloadStateJsonContext : JsonSerializerContext;
