using System.Buffers.Binary;
using System.Text;

namespace Nexa.Hub.Gguf;

/// <summary>
/// Forward-only little-endian reader with its own buffer. Every read is checked against the
/// declared file length before anything is allocated or read, so a hostile length or count
/// becomes a <see cref="GgufFormatException"/>, never a huge allocation.
/// </summary>
internal sealed class GgufStreamReader
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _bufferStart;
    private int _bufferEnd;

    public GgufStreamReader(Stream stream, long length, string filePath)
    {
        _stream = stream;
        Length = length;
        FilePath = filePath;
    }

    public string FilePath { get; }

    public long Length { get; }

    /// <summary>Offset in the file of the next byte to be read.</summary>
    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public GgufFormatException Error(string reason) => new(FilePath, reason);

    /// <summary>Fails unless <paramref name="bytes"/> more bytes exist; <paramref name="what"/> names the data.</summary>
    public void Require(ulong bytes, string what)
    {
        if (bytes > (ulong)Remaining)
        {
            throw Error($"truncated or corrupt: {what} at offset {Position} needs {bytes} bytes, but only {Remaining} remain in the {Length}-byte file");
        }
    }

    public byte ReadByte(string what) => Take(1, what)[0];

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    /// <summary>Reads 1, 2, 4 or 8 bytes as a zero-extended little-endian number.</summary>
    public ulong ReadBits(int size, string what) => size switch
    {
        1 => ReadByte(what),
        2 => ReadUInt16(what),
        4 => ReadUInt32(what),
        _ => ReadUInt64(what),
    };

    /// <summary>A GGUF string: a uint64 byte length, then that many UTF-8 bytes.</summary>
    public string ReadString(string what)
    {
        var length = ReadStringLength(what);
        if (length <= BufferSize)
        {
            return Encoding.UTF8.GetString(Take((int)length, what));
        }

        var bytes = new byte[length];
        ReadExactly(bytes, what);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads a string's length and checks that its bytes fit in the file.</summary>
    public int ReadStringLength(string what)
    {
        var length = ReadUInt64(what);
        Require(length, what);
        if (length > (ulong)Array.MaxLength)
        {
            throw Error($"{what} at offset {Position} is {length} bytes long, more than this reader supports");
        }

        return (int)length;
    }

    /// <summary>Fills <paramref name="destination"/>; its length must already be checked with <see cref="Require"/>.</summary>
    public void ReadExactly(Span<byte> destination, string what)
    {
        Require((ulong)destination.Length, what);
        var fromBuffer = Math.Min(destination.Length, _bufferEnd - _bufferStart);
        _buffer.AsSpan(_bufferStart, fromBuffer).CopyTo(destination);
        _bufferStart += fromBuffer;
        Position += fromBuffer;
        var rest = destination[fromBuffer..];
        if (rest.IsEmpty)
        {
            return;
        }

        if (rest.Length >= BufferSize)
        {
            ReadFromStream(rest, what);
            Position += rest.Length;
            return;
        }

        Fill(rest.Length, what);
        _buffer.AsSpan(0, rest.Length).CopyTo(rest);
        _bufferStart = rest.Length;
        Position += rest.Length;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        Require((ulong)count, what);
        if (_bufferEnd - _bufferStart < count)
        {
            Fill(count, what);
        }

        var span = _buffer.AsSpan(_bufferStart, count);
        _bufferStart += count;
        Position += count;
        return span;
    }

    /// <summary>Moves what is left to the front of the buffer and reads until it holds at least <paramref name="count"/> bytes.</summary>
    private void Fill(int count, string what)
    {
        var left = _bufferEnd - _bufferStart;
        Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, left);
        _bufferStart = 0;
        _bufferEnd = left;

        // Never read past the declared length: the stream may go on beyond the part we were given.
        var unread = Length - Position - left;
        var wanted = (int)Math.Min(BufferSize - left, unread);
        ReadFromStream(_buffer.AsSpan(_bufferEnd, wanted), what);
        _bufferEnd += wanted;
        if (_bufferEnd < count)
        {
            throw Error($"truncated: the file ended while reading {what} at offset {Position}");
        }
    }

    private void ReadFromStream(Span<byte> destination, string what)
    {
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            // The stream is shorter than the length we were told (a file cut while we read it).
            throw Error($"truncated: the file ended while reading {what} at offset {Position}");
        }
    }
}
