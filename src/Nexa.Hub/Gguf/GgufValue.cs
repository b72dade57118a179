using System.Globalization;

namespace Nexa.Hub.Gguf;

/// <summary>
/// One metadata value. Scalars are kept as their little-endian bits, so reading a value from a
/// large array (<see cref="GgufArray"/>'s indexer) boxes nothing.
/// </summary>
public sealed class GgufValue
{
    private readonly ulong _bits;
    private readonly object? _reference;

    internal GgufValue(GgufValueType type, ulong bits)
    {
        Type = type;
        _bits = bits;
    }

    internal GgufValue(string value)
    {
        Type = GgufValueType.String;
        _reference = value;
    }

    internal GgufValue(GgufArray value)
    {
        Type = GgufValueType.Array;
        _reference = value;
    }

    public GgufValueType Type { get; }

    /// <summary>True for every integer type, signed or unsigned, of any width.</summary>
    public bool IsInteger => GgufValueTypes.IsInteger(Type);

    /// <summary>True for integers and floats.</summary>
    public bool IsNumber => IsInteger || GgufValueTypes.IsFloat(Type);

    /// <summary>
    /// The value as a .NET object: byte, sbyte, ushort, short, uint, int, float, bool, string,
    /// ulong, long, double, or a <see cref="GgufArray"/>.
    /// </summary>
    public object Value => Type switch
    {
        GgufValueType.UInt8 => (byte)_bits,
        GgufValueType.Int8 => (sbyte)_bits,
        GgufValueType.UInt16 => (ushort)_bits,
        GgufValueType.Int16 => (short)_bits,
        GgufValueType.UInt32 => (uint)_bits,
        GgufValueType.Int32 => (int)_bits,
        GgufValueType.Float32 => BitConverter.UInt32BitsToSingle((uint)_bits),
        GgufValueType.Bool => _bits != 0,
        GgufValueType.UInt64 => _bits,
        GgufValueType.Int64 => (long)_bits,
        GgufValueType.Float64 => BitConverter.UInt64BitsToDouble(_bits),
        _ => _reference!,
    };

    /// <summary>Any integer type as a long.</summary>
    /// <exception cref="InvalidCastException">The value is not an integer.</exception>
    /// <exception cref="OverflowException">A UINT64 above <see cref="long.MaxValue"/>.</exception>
    public long AsInt64() => Type switch
    {
        GgufValueType.UInt8 or GgufValueType.UInt16 or GgufValueType.UInt32 => (long)_bits,
        GgufValueType.Int8 => (sbyte)_bits,
        GgufValueType.Int16 => (short)_bits,
        GgufValueType.Int32 => (int)_bits,
        GgufValueType.Int64 => (long)_bits,
        GgufValueType.UInt64 when _bits <= long.MaxValue => (long)_bits,
        GgufValueType.UInt64 => throw new OverflowException($"{_bits} does not fit in a signed 64-bit integer"),
        _ => throw WrongType("an integer"),
    };

    /// <summary>Any integer type as an unsigned long.</summary>
    /// <exception cref="InvalidCastException">The value is not an integer.</exception>
    /// <exception cref="OverflowException">The value is negative.</exception>
    public ulong AsUInt64()
    {
        if (Type == GgufValueType.UInt64)
        {
            return _bits;
        }

        var value = AsInt64();
        return value >= 0 ? (ulong)value : throw new OverflowException($"{value} is negative");
    }

    /// <summary>Any integer or float as a double.</summary>
    /// <exception cref="InvalidCastException">The value is not a number.</exception>
    public double AsDouble() => Type switch
    {
        GgufValueType.Float32 => BitConverter.UInt32BitsToSingle((uint)_bits),
        GgufValueType.Float64 => BitConverter.UInt64BitsToDouble(_bits),
        GgufValueType.UInt64 => _bits,
        _ when IsInteger => AsInt64(),
        _ => throw WrongType("a number"),
    };

    /// <exception cref="InvalidCastException">The value is not a BOOL.</exception>
    public bool AsBool() => Type == GgufValueType.Bool ? _bits != 0 : throw WrongType("a bool");

    /// <exception cref="InvalidCastException">The value is not a STRING.</exception>
    public string AsString() => Type == GgufValueType.String ? (string)_reference! : throw WrongType("a string");

    /// <exception cref="InvalidCastException">The value is not an ARRAY.</exception>
    public GgufArray AsArray() => Type == GgufValueType.Array ? (GgufArray)_reference! : throw WrongType("an array");

    public override string ToString() => Type switch
    {
        GgufValueType.String => (string)_reference!,
        GgufValueType.Array => _reference!.ToString()!,
        GgufValueType.Bool => _bits != 0 ? "true" : "false",
        _ => Convert.ToString(Value, CultureInfo.InvariantCulture)!,
    };

    private InvalidCastException WrongType(string expected) =>
        new($"the value is {Type.ToString().ToUpperInvariant()}, not {expected}");
}
