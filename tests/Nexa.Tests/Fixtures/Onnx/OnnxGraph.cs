namespace Nexa.Tests.Fixtures.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType).</summary>
public enum OnnxType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Float16 = 10,
}

/// <summary>
/// A small ONNX graph builder for test fixtures: inputs and outputs with named (symbolic) or fixed axes, float
/// initializers (inline, or in an external-data file beside the model as large exports have them), and nodes of
/// the standard operator set. <see cref="Save"/> writes a ModelProto (IR version 8, opset 17).
/// </summary>
public sealed class OnnxGraph(string name)
{
    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<(string Name, OnnxType Type, long[] Dims, byte[] Raw)> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private int _next;

    /// <summary>Declares a graph input; each axis is a fixed size (int) or a symbolic name (string).</summary>
    public string Input(string inputName, OnnxType type, params object[] axes)
    {
        _inputs.Add(ValueInfo(inputName, type, axes));
        return inputName;
    }

    /// <summary>Declares <paramref name="value"/> a graph output named <paramref name="outputName"/> (an Identity when they differ).</summary>
    public void Output(string value, string outputName, OnnxType type, params object[] axes)
    {
        if (value != outputName)
        {
            Node("Identity", [value], outputName);
        }

        _outputs.Add(ValueInfo(outputName, type, axes));
    }

    public string Weight(float[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        var weightName = $"w{_next++}";
        _initializers.Add((weightName, OnnxType.Float, dims, raw));
        return weightName;
    }

    public string Int64s(long[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 8];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        var weightName = $"w{_next++}";
        _initializers.Add((weightName, OnnxType.Int64, dims, raw));
        return weightName;
    }

    /// <summary>Adds a node; attributes are long, float, string, long[] values. Returns its output's name.</summary>
    public string Node(string op, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output ??= $"{op.ToLowerInvariant()}{_next++}";
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, $"{op}_{_next++}").String(4, op);
        foreach (var (attrName, value) in attributes)
        {
            // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
            var attr = new ProtoWriter().String(1, attrName);
            switch (value)
            {
                case float f:
                    attr.Float(2, f).Int(20, 1);
                    break;
                case long i:
                    attr.Int(3, i).Int(20, 2);
                    break;
                case string s:
                    attr.Bytes(4, System.Text.Encoding.UTF8.GetBytes(s)).Int(20, 3);
                    break;
                case long[] ints:
                    foreach (var i in ints)
                    {
                        attr.Int(8, i);
                    }

                    attr.Int(20, 7);
                    break;
                default:
                    throw new ArgumentException($"attribute {attrName}: unsupported value {value}");
            }

            node.Message(5, attr);
        }

        _nodes.Add(node);
        return output;
    }

    public string Op(string op, params string[] inputs) => Node(op, inputs);

    /// <summary>
    /// Writes the model to <paramref name="path"/>. With <paramref name="externalData"/> (a file name), every
    /// float initializer's bytes go to that file beside the model, referenced by location/offset/length.
    /// </summary>
    public void Save(string path, string? externalData = null)
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, name);
        using var dataFile = externalData is null ? null : File.Create(Path.Combine(Path.GetDirectoryName(path)!, externalData));
        foreach (var (weightName, type, dims, raw) in _initializers)
        {
            // TensorProto: dims 1, data_type 2, name 8, raw_data 9, external_data 13, data_location 14 (EXTERNAL 1).
            var tensor = new ProtoWriter();
            foreach (var d in dims)
            {
                tensor.Int(1, d);
            }

            tensor.Int(2, (long)type).String(8, weightName);
            // Shape tensors stay inline, as exporters keep small tensors (ONNX Runtime's shape inference reads them at load).
            if (dataFile is null || type != OnnxType.Float)
            {
                tensor.Bytes(9, raw);
            }
            else
            {
                var offset = dataFile.Position;
                dataFile.Write(raw);
                tensor.Message(13, Entry("location", externalData!))
                    .Message(13, Entry("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .Message(13, Entry("length", raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .Int(14, 1);
            }

            graph.Message(5, tensor);
        }

        foreach (var input in _inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in _outputs)
        {
            graph.Message(12, output);
        }

        // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (OperatorSetIdProto: domain 1, version 2).
        var model = new ProtoWriter().Int(1, 8).String(2, "nexa-tests").Message(7, graph).Message(8, new ProtoWriter().String(1, "").Int(2, 17));
        File.WriteAllBytes(path, model.ToArray());
    }

    private static ProtoWriter Entry(string key, string value) => new ProtoWriter().String(1, key).String(2, value);

    private static ProtoWriter ValueInfo(string valueName, OnnxType type, object[] axes)
    {
        // ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1. Tensor: elem_type 1, shape 2.
        // TensorShapeProto: dim 1. Dimension: dim_value 1, dim_param 2.
        var shape = new ProtoWriter();
        foreach (var axis in axes)
        {
            var dim = axis switch
            {
                int size => new ProtoWriter().Int(1, size),
                string symbol => new ProtoWriter().String(2, symbol),
                _ => throw new ArgumentException($"axis {axis}: int or string"),
            };
            shape.Message(1, dim);
        }

        var tensorType = new ProtoWriter().Int(1, (long)type).Message(2, shape);
        return new ProtoWriter().String(1, valueName).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
