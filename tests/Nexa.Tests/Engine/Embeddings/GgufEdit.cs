using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine.Embeddings;

/// <summary>
/// Copies a GGUF with metadata added or replaced and tensors added: the tiny chat model with a pooling type, task
/// prefixes or a tensor llama.cpp must never see, without a second model writer.
/// </summary>
public static class GgufEdit
{
    public sealed record Tensor(string Name, long[] Dimensions, GgmlType Type, byte[] Data);

    public static string Copy(string source, string destination, IEnumerable<(string Key, GgufValueType Type, object Value)>? metadata = null,
        IEnumerable<Tensor>? tensors = null)
    {
        var gguf = GgufReader.Read(source);
        var changes = (metadata ?? []).ToList();
        var writer = new GgufWriter(gguf.Alignment);
        foreach (var (key, value) in gguf.Metadata)
        {
            if (key != "general.alignment" && changes.All(c => c.Key != key))
                writer.Add(key, value.Type, Plain(value));
        }
        foreach (var (key, type, value) in changes)
            writer.Add(key, type, value);

        using var file = File.OpenRead(source);
        foreach (var tensor in gguf.Tensors)
        {
            var data = new byte[tensor.ByteSize!.Value];
            file.Position = tensor.FileOffset;
            file.ReadExactly(data);
            writer.AddRawTensor(tensor.Name, [.. tensor.Dimensions], tensor.Type, data);
        }
        foreach (var tensor in tensors ?? [])
            writer.AddRawTensor(tensor.Name, tensor.Dimensions, tensor.Type, tensor.Data);
        return writer.WriteTo(destination);
    }

    private static object Plain(GgufValue value) => value.Type == GgufValueType.Array
        ? new GgufWriter.ArrayValue(value.AsArray().ElementType, [.. value.AsArray().Select(Plain)])
        : value.Value;
}
