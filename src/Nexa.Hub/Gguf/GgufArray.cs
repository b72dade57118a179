using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Nexa.Hub.Gguf;

/// <summary>
/// A metadata array, kept in the compact form the file uses: fixed-size elements as their raw
/// little-endian bytes, strings as one UTF-8 buffer decoded on access. A 150k-token vocabulary
/// therefore costs about its size in the file instead of 150k string objects.
/// </summary>
public sealed class GgufArray : IReadOnlyList<GgufValue>
{
    private readonly byte[] _raw;
    private readonly int[] _stringEnds;
    private readonly GgufArray[] _arrays;
    private readonly int _elementSize;

    private GgufArray(GgufValueType elementType, int count, byte[] raw, int[] stringEnds, GgufArray[] arrays)
    {
        ElementType = elementType;
        Count = count;
        _raw = raw;
        _stringEnds = stringEnds;
        _arrays = arrays;
        _elementSize = GgufValueTypes.FixedSize(elementType);
    }

    public GgufValueType ElementType { get; }

    public int Count { get; }

    public GgufValue this[int index]
    {
        get
        {
            CheckIndex(index);
            return ElementType switch
            {
                GgufValueType.String => new GgufValue(GetString(index)),
                GgufValueType.Array => new GgufValue(_arrays[index]),
                _ => new GgufValue(ElementType, ReadBits(index)),
            };
        }
    }

    /// <summary>Fixed-size elements (every type but STRING and ARRAY), stored as in the file.</summary>
    internal static GgufArray OfFixedSize(GgufValueType elementType, int count, byte[] raw) =>
        new(elementType, count, raw, [], []);

    /// <summary>Strings stored back to back in <paramref name="utf8"/>; string i ends at <paramref name="ends"/>[i].</summary>
    internal static GgufArray OfStrings(int count, byte[] utf8, int[] ends) =>
        new(GgufValueType.String, count, utf8, ends, []);

    internal static GgufArray OfArrays(GgufArray[] arrays) =>
        new(GgufValueType.Array, arrays.Length, [], [], arrays);

    /// <exception cref="InvalidCastException">The elements are not strings.</exception>
    public string GetString(int index)
    {
        RequireElementType(GgufValueType.String, "strings");
        CheckIndex(index);
        var start = index == 0 ? 0 : _stringEnds[index - 1];
        return Encoding.UTF8.GetString(_raw, start, _stringEnds[index] - start);
    }

    /// <exception cref="InvalidCastException">The elements are not integers.</exception>
    public long GetInt64(int index) => this[index].AsInt64();

    /// <exception cref="InvalidCastException">The elements are not numbers.</exception>
    public double GetDouble(int index) => this[index].AsDouble();

    /// <exception cref="InvalidCastException">The elements are not arrays.</exception>
    public GgufArray GetArray(int index)
    {
        RequireElementType(GgufValueType.Array, "arrays");
        CheckIndex(index);
        return _arrays[index];
    }

    /// <summary>A read-only view of a string array that decodes each element when it is read.</summary>
    /// <exception cref="InvalidCastException">The elements are not strings.</exception>
    public IReadOnlyList<string> AsStrings()
    {
        RequireElementType(GgufValueType.String, "strings");
        return new StringView(this);
    }

    /// <exception cref="InvalidCastException">The elements are not integers.</exception>
    public long[] ToInt64Array()
    {
        var result = new long[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = GetInt64(i);
        }

        return result;
    }

    /// <exception cref="InvalidCastException">The elements are not numbers.</exception>
    public float[] ToSingleArray()
    {
        var result = new float[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)GetDouble(i);
        }

        return result;
    }

    public IEnumerator<GgufValue> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{ElementType.ToString().ToUpperInvariant()}[{Count}]";

    private ulong ReadBits(int index)
    {
        var bytes = _raw.AsSpan(index * _elementSize, _elementSize);
        return _elementSize switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        };
    }

    private void CheckIndex(int index) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));

    private void RequireElementType(GgufValueType expected, string what)
    {
        if (ElementType != expected)
        {
            throw new InvalidCastException($"the array holds {ElementType.ToString().ToUpperInvariant()} values, not {what}");
        }
    }

    private sealed class StringView(GgufArray array) : IReadOnlyList<string>
    {
        public int Count => array.Count;

        public string this[int index] => array.GetString(index);

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < array.Count; i++)
            {
                yield return array.GetString(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
