using System.Text;
using Nexa.Hub.Gguf;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Writes GGUF v3 (or v2) files for tests: metadata of every type, nested arrays, and tensors of
/// F32, F16 or Q8_0 from float data (or raw bytes of any type), each aligned as llama.cpp expects.
/// Written independently of <see cref="GgufReader"/>, so round trips test both.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValueType Type, object Value)> _metadata = [];
    private readonly List<(string Name, long[] Dimensions, GgmlType Type, long Length, Action<Stream> Write)> _tensors = [];

    /// <param name="alignment">Tensor data alignment; other than 32, it is also written as <c>general.alignment</c>.</param>
    public GgufWriter(int alignment = 32)
    {
        if (alignment <= 0 || !int.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "must be a power of two");
        }

        Alignment = alignment;
        if (alignment != 32)
        {
            AddUInt32("general.alignment", (uint)alignment);
        }
    }

    public int Alignment { get; }

    /// <summary>The version number written in the header. Versions 2 and 3 share one layout.</summary>
    public uint Version { get; init; } = 3;

    /// <summary>A metadata array value; its items may themselves be <see cref="ArrayValue"/>s.</summary>
    public sealed record ArrayValue(GgufValueType ElementType, IReadOnlyList<object> Items);

    public static ArrayValue Array(GgufValueType elementType, params object[] items) => new(elementType, items);

    /// <summary>Adds a value of any type; <paramref name="value"/> must convert to it (an <see cref="ArrayValue"/> for ARRAY).</summary>
    public GgufWriter Add(string key, GgufValueType type, object value)
    {
        _metadata.Add((key, type, value));
        return this;
    }

    public GgufWriter AddUInt8(string key, byte value) => Add(key, GgufValueType.UInt8, value);

    public GgufWriter AddInt8(string key, sbyte value) => Add(key, GgufValueType.Int8, value);

    public GgufWriter AddUInt16(string key, ushort value) => Add(key, GgufValueType.UInt16, value);

    public GgufWriter AddInt16(string key, short value) => Add(key, GgufValueType.Int16, value);

    public GgufWriter AddUInt32(string key, uint value) => Add(key, GgufValueType.UInt32, value);

    public GgufWriter AddInt32(string key, int value) => Add(key, GgufValueType.Int32, value);

    public GgufWriter AddFloat32(string key, float value) => Add(key, GgufValueType.Float32, value);

    public GgufWriter AddBool(string key, bool value) => Add(key, GgufValueType.Bool, value);

    public GgufWriter AddString(string key, string value) => Add(key, GgufValueType.String, value);

    public GgufWriter AddUInt64(string key, ulong value) => Add(key, GgufValueType.UInt64, value);

    public GgufWriter AddInt64(string key, long value) => Add(key, GgufValueType.Int64, value);

    public GgufWriter AddFloat64(string key, double value) => Add(key, GgufValueType.Float64, value);

    public GgufWriter AddArray(string key, GgufValueType elementType, IEnumerable<object> items) =>
        Add(key, GgufValueType.Array, new ArrayValue(elementType, [.. items]));

    public GgufWriter AddStringArray(string key, IEnumerable<string> items) => AddArray(key, GgufValueType.String, items);

    public GgufWriter AddFloat32Array(string key, IEnumerable<float> items) => AddArray(key, GgufValueType.Float32, items.Cast<object>());

    public GgufWriter AddInt32Array(string key, IEnumerable<int> items) => AddArray(key, GgufValueType.Int32, items.Cast<object>());

    /// <summary>Adds a tensor from float data, stored as F32, F16 or Q8_0.</summary>
    /// <param name="dimensions">ggml order: the row length first.</param>
    public GgufWriter AddTensor(string name, long[] dimensions, GgmlType type, float[] data)
    {
        var elements = dimensions.Aggregate(1L, (a, b) => a * b);
        if (elements != data.Length)
        {
            throw new ArgumentException($"tensor {name} has {elements} elements but {data.Length} values were given", nameof(data));
        }

        var bytes = type switch
        {
            GgmlType.F32 => EncodeF32(data),
            GgmlType.F16 => EncodeF16(data),
            GgmlType.Q8_0 => EncodeQ8_0(data),
            _ => throw new ArgumentException($"cannot encode {type}; use AddRawTensor", nameof(type)),
        };
        return AddRawTensor(name, dimensions, type, bytes);
    }

    /// <summary>Adds a tensor whose data is already encoded (any type, or a deliberately wrong size).</summary>
    public GgufWriter AddRawTensor(string name, long[] dimensions, GgmlType type, byte[] data) =>
        AddStreamedTensor(name, dimensions, type, data.Length, stream => stream.Write(data));

    /// <summary>
    /// Adds a tensor whose <paramref name="length"/> bytes of encoded data <paramref name="write"/> produces only when
    /// the file is written, so a model of hundreds of megabytes never sits in memory.
    /// </summary>
    public GgufWriter AddStreamedTensor(string name, long[] dimensions, GgmlType type, long length, Action<Stream> write)
    {
        _tensors.Add((name, dimensions, type, length, write));
        return this;
    }

    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteTo(stream);
        return path;
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    public void WriteTo(Stream stream)
    {
        var start = stream.Position;
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write("GGUF"u8);
        writer.Write(Version);
        writer.Write((ulong)_tensors.Count);
        writer.Write((ulong)_metadata.Count);
        foreach (var (key, type, value) in _metadata)
        {
            WriteString(writer, key);
            writer.Write((uint)type);
            WriteValue(writer, type, value);
        }

        long offset = 0;
        foreach (var (name, dimensions, type, length, _) in _tensors)
        {
            WriteString(writer, name);
            writer.Write((uint)dimensions.Length);
            foreach (var size in dimensions)
            {
                writer.Write((ulong)size);
            }

            writer.Write((uint)type);
            writer.Write((ulong)offset);
            offset = AlignUp(offset + length);
        }

        long written = 0;
        Pad(writer, stream.Position - start);
        foreach (var (name, _, _, length, write) in _tensors)
        {
            writer.Flush();
            var before = stream.Position;
            write(stream);
            if (stream.Position - before != length)
            {
                throw new InvalidOperationException($"tensor {name} wrote {stream.Position - before} bytes, not the {length} it declared");
            }

            written += length;
            Pad(writer, written);
            written = AlignUp(written);
        }
    }

    public static byte[] EncodeF32(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        System.Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static byte[] EncodeF16(float[] data)
    {
        var bytes = new byte[data.Length * 2];
        for (var i = 0; i < data.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (Half)data[i]);
        }

        return bytes;
    }

    /// <summary>ggml's reference Q8_0: blocks of 32 values, an F16 scale of max|x|/127, then 32 rounded int8s.</summary>
    public static byte[] EncodeQ8_0(float[] data)
    {
        const int block = 32;
        if (data.Length % block != 0)
        {
            throw new ArgumentException($"Q8_0 needs a multiple of {block} values, got {data.Length}", nameof(data));
        }

        var bytes = new byte[data.Length / block * 34];
        for (var b = 0; b < data.Length / block; b++)
        {
            var values = data.AsSpan(b * block, block);
            var max = 0f;
            foreach (var v in values)
            {
                max = Math.Max(max, Math.Abs(v));
            }

            var scale = max / 127f;
            var inverse = scale == 0 ? 0 : 1 / scale;
            var output = bytes.AsSpan(b * 34, 34);
            BitConverter.TryWriteBytes(output, (Half)scale);
            for (var i = 0; i < block; i++)
            {
                output[2 + i] = (byte)(sbyte)MathF.Round(values[i] * inverse);
            }
        }

        return bytes;
    }

    private long AlignUp(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    private void Pad(BinaryWriter writer, long position)
    {
        for (var i = position; i < AlignUp(position); i++)
        {
            writer.Write((byte)0);
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteValue(BinaryWriter writer, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: writer.Write(Convert.ToByte(value)); break;
            case GgufValueType.Int8: writer.Write(Convert.ToSByte(value)); break;
            case GgufValueType.UInt16: writer.Write(Convert.ToUInt16(value)); break;
            case GgufValueType.Int16: writer.Write(Convert.ToInt16(value)); break;
            case GgufValueType.UInt32: writer.Write(Convert.ToUInt32(value)); break;
            case GgufValueType.Int32: writer.Write(Convert.ToInt32(value)); break;
            case GgufValueType.Float32: writer.Write(Convert.ToSingle(value)); break;
            case GgufValueType.Bool: writer.Write(Convert.ToBoolean(value)); break;
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt64: writer.Write(Convert.ToUInt64(value)); break;
            case GgufValueType.Int64: writer.Write(Convert.ToInt64(value)); break;
            case GgufValueType.Float64: writer.Write(Convert.ToDouble(value)); break;
            case GgufValueType.Array:
                var array = (ArrayValue)value;
                writer.Write((uint)array.ElementType);
                writer.Write((ulong)array.Items.Count);
                foreach (var item in array.Items)
                {
                    WriteValue(writer, array.ElementType, item);
                }

                break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a GGUF value type");
        }
    }
}
