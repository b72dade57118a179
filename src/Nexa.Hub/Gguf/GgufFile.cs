namespace Nexa.Hub.Gguf;

/// <summary>
/// The header of a GGUF file: its metadata and tensor directory. Built by <see cref="GgufReader"/>.
/// The getters return null for a missing key and throw <see cref="GgufFormatException"/> for a
/// key whose value has an incompatible type, so a malformed file is never silently taken as
/// one without the key.
/// </summary>
public sealed class GgufFile
{
    /// <summary>Alignment of tensor data when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    private readonly Dictionary<string, GgufValue> _metadata;
    private readonly GgufTensorInfo[] _tensors;
    private Dictionary<string, GgufTensorInfo>? _tensorsByName;

    internal GgufFile(string filePath, int version, long fileLength, Dictionary<string, GgufValue> metadata,
        GgufTensorInfo[] tensors, int alignment, long dataOffset)
    {
        FilePath = filePath;
        Version = version;
        FileLength = fileLength;
        _metadata = metadata;
        _tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
    }

    /// <summary>The path, or the display name given to <see cref="GgufReader.Read(Stream, long, string)"/>.</summary>
    public string FilePath { get; }

    /// <summary>GGUF format version: 2 or 3.</summary>
    public int Version { get; }

    public long FileLength { get; }

    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors;

    /// <summary><c>general.alignment</c>, or 32.</summary>
    public int Alignment { get; }

    /// <summary>Offset from the start of the file where tensor data begins.</summary>
    public long DataOffset { get; }

    /// <summary><c>general.architecture</c>, e.g. "llama", "qwen3", "bert", "clip".</summary>
    public string? Architecture => GetString("general.architecture");

    /// <summary><c>general.name</c>.</summary>
    public string? Name => GetString("general.name");

    public bool ContainsKey(string key) => _metadata.ContainsKey(key);

    public string? GetString(string key) => Get(key, static v => v.AsString());

    /// <summary>Any integer type, signed or unsigned, as a long.</summary>
    public long? GetInt64(string key) => Get<long?>(key, static v => v.AsInt64());

    /// <summary>Any non-negative integer as an unsigned long.</summary>
    public ulong? GetUInt64(string key) => Get<ulong?>(key, static v => v.AsUInt64());

    /// <summary>Any integer from 0 to <see cref="uint.MaxValue"/>, whatever its stored width.</summary>
    public uint? GetUInt32(string key) => Get<uint?>(key, static v => checked((uint)v.AsUInt64()));

    /// <summary>Any integer or float as a double.</summary>
    public double? GetDouble(string key) => Get<double?>(key, static v => v.AsDouble());

    public bool? GetBool(string key) => Get<bool?>(key, static v => v.AsBool());

    public GgufArray? GetArray(string key) => Get(key, static v => v.AsArray());

    /// <summary>A string array, decoded element by element as it is read.</summary>
    public IReadOnlyList<string>? GetStringArray(string key) => Get(key, static v => v.AsArray().AsStrings());

    /// <summary>The tensor with this exact name, or null.</summary>
    public GgufTensorInfo? FindTensor(string name)
    {
        _tensorsByName ??= _tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        return _tensorsByName.GetValueOrDefault(name);
    }

    private T? Get<T>(string key, Func<GgufValue, T> convert)
    {
        if (!_metadata.TryGetValue(key, out var value))
        {
            return default;
        }

        try
        {
            return convert(value);
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            throw new GgufFormatException(FilePath, $"metadata key '{key}': {e.Message}");
        }
    }
}
