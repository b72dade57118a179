using System.Text;

namespace Nexa.Hub.Gguf;

/// <summary>
/// Reads the header of a GGUF v2/v3 file (metadata and tensor directory) without touching the
/// tensor data, and checks that every tensor's data lies inside the file. Hostile or damaged
/// files fail with a <see cref="GgufFormatException"/> naming the file, before any allocation
/// larger than the file itself.
/// </summary>
public static class GgufReader
{
    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;

    /// <summary>Arrays of arrays deeper than this are refused (the format allows them; no model uses them).</summary>
    public const int MaxArrayNesting = 8;

    // The fewest bytes a metadata pair (key length, empty key, type, a 1-byte value) and a tensor
    // info (name length, empty name, n_dims = 0, type, offset) can take; counts are checked against them.
    private const int MinKeyValueBytes = 8 + 4 + 1;
    private const int MinTensorInfoBytes = 8 + 4 + 4 + 8;

    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <exception cref="GgufFormatException">The file is not a readable GGUF file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static GgufFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // bufferSize 0: GgufStreamReader buffers, so FileStream's own buffer would only add a copy.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
            bufferSize: 0, FileOptions.SequentialScan);
        return Read(stream, stream.Length, path);
    }

    /// <summary>Reads a GGUF header from <paramref name="stream"/>, which holds a file of <paramref name="length"/> bytes from its current position.</summary>
    /// <param name="filePath">Names the file in error messages.</param>
    /// <exception cref="GgufFormatException">The data is not a readable GGUF file.</exception>
    public static GgufFile Read(Stream stream, long length, string filePath)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(filePath);

        var reader = new GgufStreamReader(stream, length, filePath);
        var version = ReadPreamble(reader);
        var tensorCount = reader.ReadUInt64("the tensor count");
        var keyValueCount = reader.ReadUInt64("the metadata count");
        CheckCounts(reader, tensorCount, keyValueCount);

        var metadata = ReadMetadata(reader, (long)keyValueCount);
        var alignment = ReadAlignment(reader, metadata);
        var tensors = ReadTensorInfos(reader, (long)tensorCount, alignment);

        var dataOffset = AlignUp(reader.Position, alignment);
        var placed = new GgufTensorInfo[tensors.Count];
        for (var i = 0; i < placed.Length; i++)
        {
            placed[i] = Place(reader, tensors[i], dataOffset);
        }

        return new GgufFile(filePath, (int)version, length, metadata, placed, alignment, dataOffset);
    }

    private static uint ReadPreamble(GgufStreamReader reader)
    {
        if (reader.Length == 0)
        {
            throw reader.Error("not a GGUF file: the file is empty");
        }

        Span<byte> magic = stackalloc byte[4];
        var have = (int)Math.Min(4, reader.Length);
        reader.ReadExactly(magic[..have], "the magic number");
        if (!Magic.StartsWith(magic[..have]))
        {
            throw reader.Error($"not a GGUF file: it starts with {Describe(magic[..have])}, expected \"GGUF\"");
        }

        var version = reader.ReadUInt32("the version");
        return version switch
        {
            2 or 3 => version,
            0x02000000 or 0x03000000 => throw reader.Error("big-endian GGUF files are not supported"),
            1 => throw reader.Error("GGUF version 1 is not supported (only versions 2 and 3)"),
            _ => throw reader.Error($"GGUF version {version} is not supported (only versions 2 and 3)"),
        };
    }

    private static void CheckCounts(GgufStreamReader reader, ulong tensorCount, ulong keyValueCount)
    {
        var needed = ((UInt128)tensorCount * MinTensorInfoBytes) + ((UInt128)keyValueCount * MinKeyValueBytes);
        if (needed > (ulong)reader.Remaining)
        {
            throw reader.Error($"truncated or corrupt: the header claims {tensorCount} tensors and {keyValueCount} metadata entries, " +
                $"which need at least {needed} bytes, but only {reader.Remaining} remain in the {reader.Length}-byte file");
        }
    }

    private static Dictionary<string, GgufValue> ReadMetadata(GgufStreamReader reader, long count)
    {
        // Capacity is capped: the count is only an upper bound checked against the file size.
        var metadata = new Dictionary<string, GgufValue>((int)Math.Min(count, 1024), StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            var key = reader.ReadString($"metadata key #{i}");
            var type = (GgufValueType)reader.ReadUInt32($"the type of metadata key '{key}'");
            var value = ReadValue(reader, type, key, depth: 0);
            if (!metadata.TryAdd(key, value))
            {
                throw reader.Error($"duplicate metadata key '{key}'");
            }
        }

        return metadata;
    }

    private static GgufValue ReadValue(GgufStreamReader reader, GgufValueType type, string key, int depth)
    {
        var what = $"the value of '{key}'";
        switch (type)
        {
            case GgufValueType.String:
                return new GgufValue(reader.ReadString(what));
            case GgufValueType.Array:
                return new GgufValue(ReadArray(reader, key, depth + 1));
            default:
                if (!GgufValueTypes.IsDefined(type))
                {
                    throw reader.Error($"metadata key '{key}' has unknown value type {(uint)type}");
                }

                return new GgufValue(type, reader.ReadBits(GgufValueTypes.FixedSize(type), what));
        }
    }

    private static GgufArray ReadArray(GgufStreamReader reader, string key, int depth)
    {
        var what = $"the array '{key}'";
        if (depth > MaxArrayNesting)
        {
            throw reader.Error($"{what} nests arrays more than {MaxArrayNesting} deep");
        }

        var elementType = (GgufValueType)reader.ReadUInt32(what);
        var count = reader.ReadUInt64(what);
        if (!GgufValueTypes.IsDefined(elementType))
        {
            throw reader.Error($"{what} has unknown element type {(uint)elementType}");
        }

        var minBytes = (UInt128)count * (uint)GgufValueTypes.MinSize(elementType);
        if (minBytes > (ulong)reader.Remaining)
        {
            throw reader.Error($"truncated or corrupt: {what} at offset {reader.Position} claims {count} elements, " +
                $"which need at least {minBytes} bytes, but only {reader.Remaining} remain in the {reader.Length}-byte file");
        }

        if (count > (ulong)Array.MaxLength || minBytes > (ulong)Array.MaxLength)
        {
            throw reader.Error($"{what} has {count} elements, more than this reader supports");
        }

        return elementType switch
        {
            GgufValueType.String => ReadStringArray(reader, (int)count, what),
            GgufValueType.Array => ReadNestedArrays(reader, (int)count, key, depth),
            _ => ReadFixedSizeArray(reader, elementType, (int)count, what),
        };
    }

    private static GgufArray ReadFixedSizeArray(GgufStreamReader reader, GgufValueType elementType, int count, string what)
    {
        var raw = new byte[count * GgufValueTypes.FixedSize(elementType)];
        reader.ReadExactly(raw, what);
        return GgufArray.OfFixedSize(elementType, count, raw);
    }

    private static GgufArray ReadStringArray(GgufStreamReader reader, int count, string what)
    {
        // Both buffers grow as strings arrive rather than trusting the count up front.
        var ends = new int[Math.Min(count, 4096)];
        var utf8 = new byte[(int)Math.Min(reader.Remaining, 64 * 1024)];
        var used = 0;
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadStringLength(what);
            if ((long)used + length > Array.MaxLength)
            {
                throw reader.Error($"{what} holds more string data than this reader supports");
            }

            if (used + length > utf8.Length)
            {
                var grown = Math.Max(used + length, (int)Math.Min((long)utf8.Length * 2, Array.MaxLength));
                Array.Resize(ref utf8, grown);
            }

            reader.ReadExactly(utf8.AsSpan(used, length), what);
            used += length;
            if (i == ends.Length)
            {
                Array.Resize(ref ends, (int)Math.Min((long)ends.Length * 2, count));
            }

            ends[i] = used;
        }

        return GgufArray.OfStrings(count, utf8, ends);
    }

    private static GgufArray ReadNestedArrays(GgufStreamReader reader, int count, string key, int depth)
    {
        var arrays = new List<GgufArray>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            arrays.Add(ReadArray(reader, key, depth + 1));
        }

        return GgufArray.OfArrays([.. arrays]);
    }

    private static int ReadAlignment(GgufStreamReader reader, Dictionary<string, GgufValue> metadata)
    {
        if (!metadata.TryGetValue("general.alignment", out var value))
        {
            return GgufFile.DefaultAlignment;
        }

        var alignment = value.IsInteger ? value.AsDouble() : 0;
        if (alignment is <= 0 or > 1 << 30 || !double.IsPow2(alignment))
        {
            throw reader.Error($"general.alignment must be a power of two, but is {value}");
        }

        return (int)alignment;
    }

    private readonly record struct RawTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset, long ElementCount, long? ByteSize);

    private static List<RawTensorInfo> ReadTensorInfos(GgufStreamReader reader, long count, int alignment)
    {
        var tensors = new List<RawTensorInfo>((int)Math.Min(count, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            var name = reader.ReadString($"the name of tensor #{i}");
            var what = $"tensor '{name}'";
            if (!names.Add(name))
            {
                throw reader.Error($"duplicate {what}");
            }

            var dimensionCount = reader.ReadUInt32(what);
            if (dimensionCount > MaxDimensions)
            {
                throw reader.Error($"{what} has {dimensionCount} dimensions; at most {MaxDimensions} are allowed");
            }

            var dimensions = new long[dimensionCount];
            for (var d = 0; d < dimensions.Length; d++)
            {
                var size = reader.ReadUInt64(what);
                if (size > long.MaxValue)
                {
                    throw reader.Error($"{what} has a negative dimension ({(long)size})");
                }

                dimensions[d] = (long)size;
            }

            var type = (GgmlType)reader.ReadUInt32(what);
            var offset = reader.ReadUInt64(what);
            if (offset > long.MaxValue || offset % (ulong)alignment != 0)
            {
                throw reader.Error($"{what} has data offset {offset}, which is not a multiple of the alignment {alignment}");
            }

            var (elements, bytes) = Measure(reader, what, dimensions, type);
            tensors.Add(new RawTensorInfo(name, dimensions, type, (long)offset, elements, bytes));
        }

        return tensors;
    }

    private static (long Elements, long? Bytes) Measure(GgufStreamReader reader, string what, long[] dimensions, GgmlType type)
    {
        try
        {
            long elements = 1;
            foreach (var size in dimensions)
            {
                elements = checked(elements * size);
            }

            if (!GgmlTypes.TryGetBlockLayout(type, out var perBlock, out var bytesPerBlock))
            {
                return (elements, null);
            }

            var rowLength = dimensions.Length == 0 ? 1 : dimensions[0];
            if (rowLength % perBlock != 0)
            {
                throw reader.Error($"{what} of type {type} has rows of {rowLength} elements, not a multiple of its block size {perBlock}");
            }

            return (elements, elements == 0 ? 0 : checked(elements / perBlock * bytesPerBlock));
        }
        catch (OverflowException)
        {
            throw reader.Error($"{what} has dimensions [{string.Join(", ", dimensions)}] whose size overflows");
        }
    }

    private static GgufTensorInfo Place(GgufStreamReader reader, RawTensorInfo tensor, long dataOffset)
    {
        var start = (Int128)dataOffset + tensor.Offset;
        if (start > reader.Length)
        {
            throw reader.Error($"truncated: tensor '{tensor.Name}' data starts at {start} but the file is {reader.Length} bytes");
        }

        var end = start + (tensor.ByteSize ?? 0);
        if (end > reader.Length)
        {
            throw reader.Error($"truncated: tensor '{tensor.Name}' data ends at {end} but the file is {reader.Length} bytes");
        }

        return new GgufTensorInfo(tensor.Name, tensor.Dimensions, tensor.Type, tensor.Offset, (long)start,
            tensor.ElementCount, tensor.ByteSize);
    }

    private static long AlignUp(long offset, int alignment) => (offset + alignment - 1) / alignment * alignment;

    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        var hex = Convert.ToHexString(bytes);
        var printable = true;
        foreach (var b in bytes)
        {
            printable &= b is >= 0x20 and < 0x7f;
        }

        return printable ? $"\"{Encoding.ASCII.GetString(bytes)}\" (0x{hex})" : $"0x{hex}";
    }
}
