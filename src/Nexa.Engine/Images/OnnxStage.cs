using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>A float tensor in row-major order, as the pipeline passes data between stages.</summary>
public sealed record FloatTensor(float[] Data, long[] Shape);

/// <summary>
/// One ONNX graph of a pipeline (text encoder, UNet, VAE decoder) in an ONNX Runtime session. Inputs are converted
/// to the element type the graph declares (float32 or float16 for data; int32, int64 or float for ids and
/// timesteps) and outputs come back as float32, so the pipeline is the same for fp32 and fp16 exports.
/// </summary>
public sealed class OnnxStage : IDisposable
{
    private readonly InferenceSession _session;

    private OnnxStage(string name, InferenceSession session)
    {
        Name = name;
        _session = session;
    }

    /// <summary>The stage's folder name (text_encoder, unet, …), for messages.</summary>
    public string Name { get; }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    /// <summary>Opens a graph (with its external weights beside it); a graph ONNX Runtime refuses is a LoadFailed.</summary>
    public static OnnxStage Open(string modelPath, string name, SessionOptions options)
    {
        if (!File.Exists(modelPath))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {name} not found: {modelPath}");
        }

        try
        {
            return new OnnxStage(name, new InferenceSession(modelPath, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {name} cannot be loaded ({modelPath}): {e.Message}", inner: e);
        }
    }

    /// <summary>Session options for every stage: all graph optimisations, the given threads, CUDA where it is installed.</summary>
    public static SessionOptions CreateOptions(int threads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            // Only the GPU build of ONNX Runtime (Microsoft.ML.OnnxRuntime.Gpu) lists CUDA; on that build a machine
            // without a usable GPU still fails here, and CPU is the silent fallback either way.
            if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            {
                options.AppendExecutionProvider_CUDA(0);
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
        }

        return options;
    }

    public bool HasInput(string name) => _session.InputMetadata.ContainsKey(name);

    /// <summary>The declared dimensions of an input (-1 for a symbolic one).</summary>
    public int[] InputDimensions(string name) => Input(name).Dimensions;

    /// <summary>A data tensor for <paramref name="name"/>, as float32 or float16 per the graph.</summary>
    public OrtValue CreateInput(string name, float[] values, long[] shape)
    {
        var type = Input(name).ElementDataType;
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(values, shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (Float16)v), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (double)v), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (long)Math.Round(v)), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (int)Math.Round(v)), shape),
            _ => throw Unsupported(name, type),
        };
    }

    /// <summary>An integer tensor (token ids) for <paramref name="name"/>, as int32 or int64 per the graph.</summary>
    public OrtValue CreateInput(string name, int[] values, long[] shape)
    {
        var type = Input(name).ElementDataType;
        return type switch
        {
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(values, shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (long)v), shape),
            _ => throw Unsupported(name, type),
        };
    }

    /// <summary>Runs the graph; <paramref name="runOptions"/> carries the cancellation (its Terminate flag).</summary>
    public Dictionary<string, FloatTensor> Run(RunOptions runOptions, IReadOnlyDictionary<string, OrtValue> inputs, IReadOnlyList<string> outputs)
    {
        try
        {
            using var results = _session.Run(runOptions, [.. inputs.Keys], [.. inputs.Values], outputs);
            var map = new Dictionary<string, FloatTensor>(outputs.Count);
            for (var i = 0; i < outputs.Count; i++)
            {
                map[outputs[i]] = ReadFloats(outputs[i], results[i]);
            }

            return map;
        }
        catch (OnnxRuntimeException e) when (runOptions.Terminate)
        {
            throw new OperationCanceledException($"{Name} run stopped", e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new EngineException(EngineErrorKind.Internal, $"image pipeline {Name} failed: {e.Message}", inner: e);
        }
    }

    public void Dispose() => _session.Dispose();

    private FloatTensor ReadFloats(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var data = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => ToFloats(value.GetTensorDataAsSpan<Float16>()),
            TensorElementType.Double => ToFloats(value.GetTensorDataAsSpan<double>()),
            _ => throw new EngineException(EngineErrorKind.LoadFailed, $"not supported yet: {Name} output {name} of type {info.ElementDataType}"),
        };
        return new FloatTensor(data, info.Shape);
    }

    private static float[] ToFloats(ReadOnlySpan<Float16> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i].ToFloat();
        }

        return result;
    }

    private static float[] ToFloats(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    private NodeMetadata Input(string name) =>
        _session.InputMetadata.TryGetValue(name, out var meta)
            ? meta
            : throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline {Name} has no input {name} (it has {string.Join(", ", _session.InputMetadata.Keys)})");

    private EngineException Unsupported(string name, TensorElementType type) =>
        new(EngineErrorKind.LoadFailed, $"not supported yet: {Name} input {name} of type {type}");
}
