using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Nexa.Tests.Fixtures;

/// <summary>The bytes of one file: held in memory, or generated on the fly for big files.</summary>
internal abstract class BlobContent
{
    public abstract long Length { get; }

    public abstract void CopyTo(long offset, Span<byte> destination);
}

internal sealed class BytesContent(byte[] bytes) : BlobContent
{
    public override long Length => bytes.Length;

    public override void CopyTo(long offset, Span<byte> destination) =>
        bytes.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
}

/// <summary>
/// Deterministic pseudo-random bytes addressed by position (SplitMix64 of the 8-byte word index),
/// so any range can be produced without generating what comes before it.
/// </summary>
internal sealed class GeneratedContent(long length, int seed) : BlobContent
{
    public override long Length => length;

    public override void CopyTo(long offset, Span<byte> destination)
    {
        var word = offset >> 3;
        var skip = (int)(offset & 7);
        Span<byte> scratch = stackalloc byte[8];
        var i = 0;
        while (i < destination.Length)
        {
            var value = Mix(word++);
            if (skip == 0 && destination.Length - i >= 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], value);
                i += 8;
                continue;
            }
            BinaryPrimitives.WriteUInt64LittleEndian(scratch, value);
            var n = Math.Min(8 - skip, destination.Length - i);
            scratch.Slice(skip, n).CopyTo(destination[i..]);
            i += n;
            skip = 0;
        }
    }

    private ulong Mix(long index)
    {
        var z = ((ulong)index * 0x9E3779B97F4A7C15) ^ ((ulong)(uint)seed * 0xD1B54A32D192ED03);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>A file at one path of a repo, with the hashes the hub advertises for it.</summary>
/// <param name="BlobOid">Git blob SHA-1 of what git stores: the LFS pointer for LFS files, else the content.</param>
internal sealed record HubFile(string Path, BlobContent Content, bool Lfs, string Sha256, string BlobOid, int PointerSize)
{
    // The real hub stores model weights in LFS through .gitattributes patterns and rejects plain
    // git files over 10 MB.
    private const long LfsSizeLimit = 10 * 1024 * 1024;
    private static readonly string[] LfsExtensions = [".gguf", ".onnx", ".safetensors", ".bin", ".pt", ".pth", ".data"];

    public long Size => Content.Length;

    public static HubFile Create(string path, BlobContent content, bool? lfs)
    {
        var isLfs = lfs ?? (content.Length >= LfsSizeLimit
            || LfsExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)));
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var gitSha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        gitSha1.AppendData(Encoding.ASCII.GetBytes($"blob {content.Length}\0"));
        var buffer = new byte[1 << 20];
        for (long offset = 0; offset < content.Length; offset += buffer.Length)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, content.Length - offset));
            content.CopyTo(offset, chunk);
            sha256.AppendData(chunk);
            if (!isLfs)
                gitSha1.AppendData(chunk);
        }
        var sha = Convert.ToHexStringLower(sha256.GetHashAndReset());
        if (!isLfs)
            return new HubFile(path, content, false, sha, Convert.ToHexStringLower(gitSha1.GetHashAndReset()), 0);

        var pointer = Encoding.ASCII.GetBytes(
            $"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {content.Length}\n");
        return new HubFile(path, content, true, sha, GitBlobOid(pointer), pointer.Length);
    }

    public static string GitBlobOid(ReadOnlySpan<byte> content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
    }
}

/// <summary>A snapshot of one repo; replaced as a whole when a file is added.</summary>
internal sealed record HubRepo(string Id, string MongoId, string Commit, ImmutableSortedDictionary<string, HubFile> Files)
{
    public static HubRepo Empty(string id) => new(
        id,
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("repo:" + id)))[..24],
        CommitOf(id, []),
        ImmutableSortedDictionary.Create<string, HubFile>(StringComparer.Ordinal));

    public HubRepo With(HubFile file)
    {
        var files = Files.SetItem(file.Path, file);
        return this with { Files = files, Commit = CommitOf(Id, files.Values) };
    }

    public bool HasRevision(string revision) => revision == "main" || revision == Commit;

    // Like git, the commit id changes whenever the tree changes.
    private static string CommitOf(string id, IEnumerable<HubFile> files)
    {
        var text = new StringBuilder("commit ").Append(id).Append('\n');
        foreach (var file in files)
            text.Append(file.BlobOid).Append(' ').Append(file.Path).Append('\n');
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

internal enum RangeKind { Full, Partial, Unsatisfiable }

/// <summary>The part of a body one request asked for (a single byte range, RFC 9110 §14).</summary>
internal readonly record struct ByteRange(RangeKind Kind, long Start, long Length)
{
    /// <param name="ifRange">The If-Range header; a value other than <paramref name="etag"/> means "send it all".</param>
    public static ByteRange Parse(string? header, string? ifRange, string etag, long size)
    {
        var full = new ByteRange(RangeKind.Full, 0, size);
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
            return full;
        if (!string.IsNullOrEmpty(ifRange) && ifRange != etag)
            return full;
        var spec = header["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-');
        // Several ranges would need multipart/byteranges; a server may ignore Range instead.
        if (dash < 0 || spec.Contains(','))
            return full;
        var unsatisfiable = new ByteRange(RangeKind.Unsatisfiable, 0, 0);
        var (first, last) = (spec[..dash], spec[(dash + 1)..]);
        if (first.Length == 0)
        {
            if (!TryParse(last, out var suffix))
                return full;
            if (suffix == 0 || size == 0)
                return unsatisfiable;
            var from = Math.Max(0, size - suffix);
            return new ByteRange(RangeKind.Partial, from, size - from);
        }
        if (!TryParse(first, out var start))
            return full;
        var end = size - 1;
        if (last.Length > 0)
        {
            if (!TryParse(last, out end) || end < start)
                return full;
            end = Math.Min(end, size - 1);
        }
        return start >= size ? unsatisfiable : new ByteRange(RangeKind.Partial, start, end - start + 1);
    }

    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

// Wire shapes of the real hub (huggingface_hub's ModelInfo, RepoSibling, RepoFile, RepoFolder).
internal sealed record ModelInfoWire(
    [property: JsonPropertyName("_id")] string MongoId,
    string Id,
    string ModelId,
    string Author,
    string Sha,
    DateTimeOffset LastModified,
    bool Private,
    bool Gated,
    bool Disabled,
    int Downloads,
    int Likes,
    string[] Tags,
    SiblingWire[] Siblings);

internal sealed record SiblingWire(string Rfilename, long? Size = null, string? BlobId = null, SiblingLfsWire? Lfs = null);

internal sealed record SiblingLfsWire(string Sha256, long Size, int PointerSize);

internal sealed record TreeEntryWire(string Type, string Oid, long Size, string Path, TreeLfsWire? Lfs = null);

internal sealed record TreeLfsWire(string Oid, long Size, int PointerSize);

internal sealed record HubErrorWire(string Error);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelInfoWire))]
[JsonSerializable(typeof(TreeEntryWire[]))]
[JsonSerializable(typeof(HubErrorWire))]
internal sealed partial class FakeHubJson : JsonSerializerContext;
