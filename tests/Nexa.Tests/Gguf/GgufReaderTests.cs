using Nexa.Hub.Gguf;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Gguf;

public sealed class GgufReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nexa-gguf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Reads_metadata_of_every_value_type_written_by_the_writer()
    {
        var path = new GgufWriter()
            .AddUInt8("u8", 250)
            .AddInt8("i8", -7)
            .AddUInt16("u16", 65000)
            .AddInt16("i16", -30000)
            .AddUInt32("u32", 4_000_000_000)
            .AddInt32("i32", -2_000_000_000)
            .AddFloat32("f32", 1.5f)
            .AddBool("yes", true)
            .AddBool("no", false)
            .AddString("text", "héllo 你好 😀")
            .AddString("empty", "")
            .AddUInt64("u64", ulong.MaxValue)
            .AddInt64("i64", long.MinValue)
            .AddFloat64("f64", Math.PI)
            .AddStringArray("strings", ["a", "", "ünï", "<|im_end|>"])
            .AddFloat32Array("floats", [0.5f, -2f])
            .AddArray("u8s", GgufValueType.UInt8, [(byte)1, (byte)255])
            .AddArray("bools", GgufValueType.Bool, [true, false, true])
            .AddArray("i64s", GgufValueType.Int64, [long.MinValue, 0L, long.MaxValue])
            .AddArray("f64s", GgufValueType.Float64, [double.Epsilon])
            .AddArray("nothing", GgufValueType.UInt32, [])
            .AddArray("nested", GgufValueType.Array,
            [
                GgufWriter.Array(GgufValueType.Int32, 1, -2, 3),
                GgufWriter.Array(GgufValueType.String, "x", "yz"),
                GgufWriter.Array(GgufValueType.Array, GgufWriter.Array(GgufValueType.UInt16, (ushort)9)),
            ])
            .WriteTo(Path.Combine(_directory, "all-types.gguf"));

        var file = GgufReader.Read(path);

        Assert.Equal(3, file.Version);
        Assert.Equal(22, file.Metadata.Count);
        Assert.Equal((byte)250, file.Metadata["u8"].Value);
        Assert.Equal((sbyte)-7, file.Metadata["i8"].Value);
        Assert.Equal((ushort)65000, file.Metadata["u16"].Value);
        Assert.Equal((short)-30000, file.Metadata["i16"].Value);
        Assert.Equal(4_000_000_000u, file.Metadata["u32"].Value);
        Assert.Equal(-2_000_000_000, file.Metadata["i32"].Value);
        Assert.Equal(1.5f, file.Metadata["f32"].Value);
        Assert.Equal(true, file.GetBool("yes"));
        Assert.Equal(false, file.GetBool("no"));
        Assert.Equal("héllo 你好 😀", file.GetString("text"));
        Assert.Equal("", file.GetString("empty"));
        Assert.Equal(ulong.MaxValue, file.GetUInt64("u64"));
        Assert.Equal(long.MinValue, file.GetInt64("i64"));
        Assert.Equal(Math.PI, file.GetDouble("f64"));
        foreach (var (key, type) in new[]
        {
            ("u8", GgufValueType.UInt8), ("i8", GgufValueType.Int8), ("u16", GgufValueType.UInt16),
            ("i16", GgufValueType.Int16), ("u32", GgufValueType.UInt32), ("i32", GgufValueType.Int32),
            ("f32", GgufValueType.Float32), ("yes", GgufValueType.Bool), ("text", GgufValueType.String),
            ("strings", GgufValueType.Array), ("u64", GgufValueType.UInt64), ("i64", GgufValueType.Int64),
            ("f64", GgufValueType.Float64),
        })
        {
            Assert.Equal(type, file.Metadata[key].Type);
        }

        Assert.Equal(["a", "", "ünï", "<|im_end|>"], file.GetStringArray("strings")!);
        Assert.Equal([0.5f, -2f], file.GetArray("floats")!.ToSingleArray());
        Assert.Equal([1L, 255L], file.GetArray("u8s")!.ToInt64Array());
        Assert.Equal([true, false, true], file.GetArray("bools")!.Select(v => v.AsBool()));
        Assert.Equal([long.MinValue, 0L, long.MaxValue], file.GetArray("i64s")!.ToInt64Array());
        Assert.Equal(double.Epsilon, file.GetArray("f64s")!.GetDouble(0));
        Assert.Equal(GgufValueType.UInt32, file.GetArray("nothing")!.ElementType);
        Assert.Empty(file.GetArray("nothing")!);

        var nested = file.GetArray("nested")!;
        Assert.Equal(GgufValueType.Array, nested.ElementType);
        Assert.Equal([1L, -2L, 3L], nested.GetArray(0).ToInt64Array());
        Assert.Equal(["x", "yz"], nested.GetArray(1).AsStrings());
        Assert.Equal(9, nested.GetArray(2).GetArray(0).GetInt64(0));
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Integer_getters_accept_any_integer_width_and_refuse_other_types()
    {
        var path = new GgufWriter()
            .AddUInt8("small", 7)
            .AddInt64("wide", 7)
            .AddUInt64("huge", ulong.MaxValue)
            .AddInt16("negative", -1)
            .AddString("name", "x")
            .WriteTo(Path.Combine(_directory, "ints.gguf"));

        var file = GgufReader.Read(path);

        Assert.Equal(7, file.GetInt64("small"));
        Assert.Equal(7u, file.GetUInt32("wide"));
        Assert.Equal(7.0, file.GetDouble("small"));
        Assert.Equal(-1, file.GetInt64("negative"));
        Assert.Null(file.GetInt64("missing"));
        Assert.Null(file.GetString("missing"));
        Assert.Throws<GgufFormatException>(() => file.GetInt64("huge"));
        Assert.Throws<GgufFormatException>(() => file.GetUInt32("negative"));
        var wrongType = Assert.Throws<GgufFormatException>(() => file.GetInt64("name"));
        Assert.Contains("name", wrongType.Message);
        Assert.Throws<GgufFormatException>(() => file.GetString("small"));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void Reads_tensor_infos_and_aligns_the_data_section(int alignment)
    {
        var q4K = new byte[144 * 2];
        var path = new GgufWriter(alignment)
            .AddString("general.architecture", "test")
            .AddTensor("a.weight", [3], GgmlType.F32, [1f, 2f, 3f])
            .AddTensor("b.weight", [4, 2], GgmlType.F16, new float[8])
            .AddTensor("c.weight", [64, 3], GgmlType.Q8_0, new float[192])
            .AddRawTensor("d.weight", [256, 2], GgmlType.Q4_K, q4K)
            .WriteTo(Path.Combine(_directory, $"tensors-{alignment}.gguf"));

        var file = GgufReader.Read(path);

        Assert.Equal(alignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        Assert.Equal("test", file.Architecture);
        Assert.Equal(["a.weight", "b.weight", "c.weight", "d.weight"], file.Tensors.Select(t => t.Name));
        Assert.Equal([GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K], file.Tensors.Select(t => t.Type));
        Assert.Equal([64L, 3L], file.Tensors[2].Dimensions);
        Assert.Equal([12L, 16L, 6 * 34L, 288L], file.Tensors.Select(t => t.ByteSize!.Value));
        Assert.Equal([3L, 8L, 192L, 512L], file.Tensors.Select(t => t.ElementCount));
        foreach (var tensor in file.Tensors)
        {
            Assert.Equal(0, tensor.Offset % alignment);
            Assert.Equal(file.DataOffset + tensor.Offset, tensor.FileOffset);
        }

        var last = file.Tensors[^1];
        Assert.True(last.FileOffset + last.ByteSize <= file.FileLength);
        Assert.Same(file.Tensors[1], file.FindTensor("b.weight"));
        Assert.Null(file.FindTensor("missing"));

        using var stream = File.OpenRead(path);
        stream.Position = file.Tensors[0].FileOffset;
        var first = new byte[12];
        stream.ReadExactly(first);
        Assert.Equal(GgufWriter.EncodeF32([1f, 2f, 3f]), first);
    }

    [Fact]
    public void Reads_version_2_files()
    {
        var path = new GgufWriter { Version = 2 }
            .AddString("general.architecture", "llama")
            .AddTensor("x", [2], GgmlType.F32, [1f, 2f])
            .WriteTo(Path.Combine(_directory, "v2.gguf"));

        var file = GgufReader.Read(path);

        Assert.Equal(2, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Single(file.Tensors);
    }

    [Fact]
    public void Tensors_of_unknown_types_are_listed_without_a_size()
    {
        var path = new GgufWriter()
            .AddRawTensor("future", [8], (GgmlType)200, new byte[8])
            .WriteTo(Path.Combine(_directory, "future.gguf"));

        var tensor = Assert.Single(GgufReader.Read(path).Tensors);

        Assert.Equal((GgmlType)200, tensor.Type);
        Assert.Null(tensor.ByteSize);
        Assert.Equal(8, tensor.ElementCount);
    }

    [Fact]
    public void Reads_a_150k_token_vocabulary_quickly()
    {
        var tokens = Enumerable.Range(0, 150_000).Select(i => $"token-{i}-▁x").ToArray();
        var path = new GgufWriter()
            .AddStringArray("tokenizer.ggml.tokens", tokens)
            .AddFloat32Array("tokenizer.ggml.scores", tokens.Select((_, i) => (float)-i))
            .AddInt32Array("tokenizer.ggml.token_type", tokens.Select(_ => 1))
            .WriteTo(Path.Combine(_directory, "vocab.gguf"));
        GgufReader.Read(path);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var file = GgufReader.Read(path);
        clock.Stop();

        var read = file.GetStringArray("tokenizer.ggml.tokens")!;
        Assert.Equal(150_000, read.Count);
        Assert.Equal(tokens[149_999], read[149_999]);
        Assert.Equal(-149_999f, file.GetArray("tokenizer.ggml.scores")!.ToSingleArray()[^1]);
        Assert.True(clock.ElapsedMilliseconds < 500, $"reading took {clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(-2)]
    public void Rejects_a_truncated_model_naming_the_file(int keep)
    {
        var whole = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "whole.gguf")));
        var path = Path.Combine(_directory, "cut.gguf");
        File.WriteAllBytes(path, whole[..(keep > 0 ? keep : whole.Length / -keep)]);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("truncated", error.Reason);
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Reports_which_tensor_runs_past_the_end_of_the_file()
    {
        var whole = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "whole.gguf")));
        var path = Path.Combine(_directory, "short.gguf");
        File.WriteAllBytes(path, whole[..^100]);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal($"truncated: tensor 'output.weight' data ends at {whole.Length} but the file is {whole.Length - 100} bytes", error.Reason);
    }

    [Fact]
    public void Reports_a_stream_shorter_than_its_declared_length_as_truncated()
    {
        var whole = File.ReadAllBytes(TinyModels.WriteChatModel(Path.Combine(_directory, "whole.gguf")));
        using var stream = new MemoryStream(whole[..500]);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(stream, whole.Length, "stream.gguf"));

        Assert.Contains("truncated", error.Reason);
    }

    [Fact]
    public void Rejects_an_empty_file()
    {
        var path = Path.Combine(_directory, "empty.gguf");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("not a GGUF file", error.Reason);
        Assert.Contains("empty", error.Reason);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4096)]
    public void Rejects_random_bytes_as_not_a_GGUF_file(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        var path = Path.Combine(_directory, "random.bin");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("not a GGUF file", error.Reason);
    }

    [Fact]
    public void Rejects_a_text_file_showing_how_it_starts()
    {
        var path = Path.Combine(_directory, "pointer.gguf");
        File.WriteAllText(path, "version https://git-lfs.github.com/spec/v1\n");

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("\"vers\"", error.Reason);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    public void Rejects_unsupported_versions(uint version)
    {
        var bytes = Header(version, tensors: 0, keyValues: 0, new byte[64]);

        var error = Assert.Throws<GgufFormatException>(() => Read(bytes));

        Assert.Contains("not supported", error.Reason);
    }

    public static TheoryData<string> HostileHeaders => [.. Hostile.Keys];

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void Rejects_hostile_headers_quickly_without_large_allocations(string hostile)
    {
        var bytes = Hostile[hostile]();
        Read(new GgufWriter().AddString("warm", "up").AddStringArray("a", ["b"]).AddRawTensor("t", [1], GgmlType.F32, new byte[4]).ToBytes());

        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<GgufFormatException>(() => Read(bytes));
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.StartsWith("hostile.gguf: ", error.Message);
    }

    [Fact]
    public void Rejects_duplicate_metadata_keys()
    {
        var bytes = new GgufWriter().AddUInt32("k", 1).AddString("k", "again").ToBytes();

        var error = Assert.Throws<GgufFormatException>(() => Read(bytes));

        Assert.Contains("duplicate", error.Reason);
    }

    [Fact]
    public void Rejects_an_alignment_that_is_not_a_power_of_two()
    {
        var bytes = new GgufWriter().AddUInt32("general.alignment", 48).ToBytes();

        Assert.Throws<GgufFormatException>(() => Read(bytes));
    }

    private const ulong TwoTo60 = 1UL << 60;

    private static readonly Dictionary<string, Func<byte[]>> Hostile = new()
    {
        ["key length 2^60"] = () => Header(3, 0, 1, U64(TwoTo60), new byte[64]),
        ["string value length 2^60"] = () => Header(3, 0, 1, Key("a"), U32(8), U64(TwoTo60), new byte[64]),
        ["string array count 2^60"] = () => Header(3, 0, 1, Key("a"), U32(9), U32(8), U64(TwoTo60), new byte[64]),
        ["uint64 array count 2^60"] = () => Header(3, 0, 1, Key("a"), U32(9), U32(10), U64(TwoTo60), new byte[64]),
        ["nested array count 2^60"] = () => Header(3, 0, 1, Key("a"), U32(9), U32(9), U64(TwoTo60), new byte[64]),
        ["string array element length 2^60"] = () => Header(3, 0, 1, Key("a"), U32(9), U32(8), U64(2), U64(TwoTo60), new byte[64]),
        ["arrays nested 100 deep"] = () => Header(3, 0, 1, [Key("a"), U32(9), .. Enumerable.Repeat<byte[]>([.. U32(9), .. U64(1)], 100)]),
        ["unknown value type"] = () => Header(3, 0, 1, Key("a"), U32(13), new byte[64]),
        ["tensor count 2^50"] = () => Header(3, 1UL << 50, 0, new byte[4096]),
        ["metadata count 2^50"] = () => Header(3, 0, 1UL << 50, new byte[4096]),
        ["tensor name length 2^60"] = () => Header(3, 1, 0, U64(TwoTo60), new byte[64]),
        ["tensor with 5 dimensions"] = () => Header(3, 1, 0, Key("t"), U32(5), new byte[64]),
        ["tensor dimensions overflow"] = () => Header(3, 1, 0, Key("t"), U32(3), U64(1UL << 40), U64(1UL << 40), U64(1UL << 40), U32(0), U64(0), new byte[64]),
        ["negative tensor dimension"] = () => Header(3, 1, 0, Key("t"), U32(1), U64(ulong.MaxValue), U32(0), U64(0), new byte[64]),
        ["tensor offset 2^60"] = () => Header(3, 1, 0, Key("t"), U32(1), U64(4), U32(0), U64(TwoTo60), new byte[64]),
        ["Q8_0 row not a whole block"] = () => Header(3, 1, 0, Key("t"), U32(1), U64(33), U32(8), U64(0), new byte[64]),
        ["duplicate tensor names"] = () => Header(3, 2, 0, Key("t"), U32(1), U64(1), U32(0), U64(0), Key("t"), U32(1), U64(1), U32(0), U64(32), new byte[64]),
    };

    private static GgufFile Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return GgufReader.Read(stream, bytes.Length, "hostile.gguf");
    }

    private static byte[] Header(uint version, ulong tensors, ulong keyValues, params byte[][] rest) =>
        [.. "GGUF"u8, .. U32(version), .. U64(tensors), .. U64(keyValues), .. rest.SelectMany(part => part)];

    private static byte[] U32(uint value) => BitConverter.GetBytes(value);

    private static byte[] U64(ulong value) => BitConverter.GetBytes(value);

    private static byte[] Key(string key) => [.. U64((ulong)System.Text.Encoding.UTF8.GetByteCount(key)), .. System.Text.Encoding.UTF8.GetBytes(key)];
}
