using System.Runtime.InteropServices;
using Nexa.Engine;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Engine;

public sealed class TextModelLoadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public TextModelLoadingTests() => NativeLog.EnsureConfigured();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Garbage_file_fails_with_llama_cpp_reason()
    {
        var path = _dir["garbage.gguf"];
        var bytes = new byte[200_000];
        new Random(1).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains("magic", error.Message);
    }

    [Fact]
    public async Task Truncated_file_fails_with_llama_cpp_reason()
    {
        var whole = await File.ReadAllBytesAsync(TinyModels.WriteChatModel(_dir["whole.gguf"]));
        var path = _dir["truncated.gguf"];
        await File.WriteAllBytesAsync(path, whole[..(whole.Length / 2)]);

        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(path, TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("not within the file bounds", error.Message);
    }

    [Fact]
    public async Task Missing_file_fails_to_load()
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => TextModel.LoadAsync(_dir["absent.gguf"], TinyTextModel.Options, CancellationToken.None));

        Assert.Equal(EngineErrorKind.LoadFailed, error.Kind);
        Assert.Contains("absent.gguf", error.Message);
    }

    [Fact]
    public async Task Native_log_keeps_the_last_lines_and_configuring_again_is_harmless()
    {
        NativeLogging.Configure(verbose: false, sink: null);
        NativeLogging.Configure(verbose: false, sink: null);
        await using (await TextModel.LoadAsync(TinyModels.WriteChatModel(_dir["chat.gguf"]), TinyTextModel.Options, CancellationToken.None))
        {
        }

        var lines = NativeLogging.RecentLines();

        Assert.InRange(lines.Count, 1, 100);
        Assert.Equal("1", Environment.GetEnvironmentVariable("GGML_NO_BACKTRACE"));
        Assert.Equal("1", Marshal.PtrToStringUTF8(GetNativeEnvironment("GGML_NO_BACKTRACE")));
    }

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr GetNativeEnvironment(string name);

    [Fact]
    public async Task Verbose_log_goes_to_the_sink()
    {
        using var sink = new StringWriter();
        NativeLogging.Configure(verbose: true, sink: TextWriter.Synchronized(sink));
        try
        {
            await using var model = await TextModel.LoadAsync(TinyModels.WriteChatModel(_dir["chat.gguf"]), TinyTextModel.Options, CancellationToken.None);
        }
        finally
        {
            NativeLogging.Configure(verbose: false, sink: null);
        }

        Assert.Contains("llama", sink.ToString());
    }
}
