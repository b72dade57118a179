using Google.Protobuf;

namespace Nexa.Tests.Fixtures.Onnx;

/// <summary>
/// Writes one protobuf message field by field (Google.Protobuf's CodedOutputStream), enough for the ONNX schema's
/// messages: the field numbers are the public onnx.proto's, given at each call site in <see cref="OnnxGraph"/>.
/// </summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    public ProtoWriter Int(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    public ProtoWriter Bytes(int field, byte[] value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
