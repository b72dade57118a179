namespace Nexa.Hub.Gguf;

/// <summary>Where a tensor lives in a GGUF file and what shape it has; the data itself is never read.</summary>
public sealed class GgufTensorInfo
{
    private readonly long[] _dimensions;

    internal GgufTensorInfo(string name, long[] dimensions, GgmlType type, long offset, long fileOffset, long elementCount, long? byteSize)
    {
        Name = name;
        _dimensions = dimensions;
        Type = type;
        Offset = offset;
        FileOffset = fileOffset;
        ElementCount = elementCount;
        ByteSize = byteSize;
    }

    public string Name { get; }

    /// <summary>ggml order: <c>Dimensions[0]</c> is the row length (ne[0]), the fastest-moving index.</summary>
    public IReadOnlyList<long> Dimensions => _dimensions;

    public GgmlType Type { get; }

    /// <summary>Offset of the data from the start of the data section, as stored in the file.</summary>
    public long Offset { get; }

    /// <summary>Offset of the data from the start of the file.</summary>
    public long FileOffset { get; }

    public long ElementCount { get; }

    /// <summary>Bytes of data, or null when <see cref="Type"/> is an id this build does not know.</summary>
    public long? ByteSize { get; }

    public override string ToString() => $"{Name} {Type} [{string.Join(", ", _dimensions)}]";
}
