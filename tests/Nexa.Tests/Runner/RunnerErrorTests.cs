using Grpc.Core;
using Nexa.Engine.Text;
using Nexa.Runner;
using Nexa.Runner.Client;
using Nexa.FakeRunner;
using Nexa.Runner.Wire;

namespace Nexa.Tests.Runner;

public sealed class RunnerErrorTests : RunnerTestBase
{
    [Fact]
    public async Task Engine_error_comes_back_with_its_kind_code_and_param_and_the_runner_keeps_serving()
    {
        var runner = await LaunchAsync(new EngineOptions { ContextSize = 512 });

        var e = await Assert.ThrowsAsync<EngineException>(() => CollectAsync(runner, Ask(FakeChatModel.Magic.Error)).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.InvalidRequest, e.Kind);
        Assert.Equal("context_length_exceeded", e.Code);
        Assert.Equal("messages", e.Param);
        Assert.Contains("maximum context length is 512 tokens", e.Message);
        Assert.Equal("still here", Text(await CollectAsync(runner, Ask("still here")).WaitAsync(Bound)));
        Assert.False(runner.HasExited);
    }

    [Fact]
    public async Task Unexpected_engine_failure_comes_back_as_internal_and_the_runner_keeps_serving()
    {
        var runner = await LaunchAsync();

        var e = await Assert.ThrowsAsync<EngineException>(() => CollectAsync(runner, Ask(FakeChatModel.Magic.Bug)).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.Internal, e.Kind);
        Assert.Contains("simulated bug", e.Message);
        Assert.Equal("fine", Text(await CollectAsync(runner, Ask("fine")).WaitAsync(Bound)));
    }

    [Theory]
    [InlineData(EngineErrorKind.InvalidRequest, StatusCode.InvalidArgument)]
    [InlineData(EngineErrorKind.LoadFailed, StatusCode.FailedPrecondition)]
    [InlineData(EngineErrorKind.Internal, StatusCode.Internal)]
    [InlineData(EngineErrorKind.Crashed, StatusCode.Unavailable)]
    public void Every_error_kind_maps_to_a_grpc_status_and_back(EngineErrorKind kind, StatusCode status)
    {
        var sent = new EngineException(kind, "ünïcode message\nsecond line", "some_code", "messages[0].content ✓");

        var rpc = RunnerErrors.ToRpcException(sent);
        Assert.Equal(status, rpc.StatusCode);
        Assert.True(RunnerErrors.TryGetEngineException(rpc, out var back));

        Assert.Equal((sent.Kind, sent.Message, sent.Code, sent.Param), (back.Kind, back.Message, back.Code, back.Param));
        var bare = RunnerErrors.ToRpcException(new EngineException(kind, "no code"));
        Assert.True(RunnerErrors.TryGetEngineException(bare, out var backBare));
        Assert.Null(backBare.Code);
        Assert.Null(backBare.Param);
    }

    [Fact]
    public void Failed_call_without_engine_trailers_is_not_an_engine_error()
    {
        Assert.False(RunnerErrors.TryGetEngineException(new RpcException(new Status(StatusCode.Unavailable, "connection reset")), out _));
    }

    [Fact]
    public async Task Missing_model_file_fails_the_launch_with_the_runners_reason()
    {
        var start = new RunnerStartInfo(Dir["missing.gguf"], new EngineOptions());

        var e = await Assert.ThrowsAsync<EngineException>(() => Launcher.LaunchAsync(start, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.LoadFailed, e.Kind);
        Assert.StartsWith("cannot load missing.gguf: cannot open the model file", e.Message);
        Assert.Contains("missing.gguf", e.Message);
    }

    [Fact]
    public async Task Rejected_model_file_fails_the_launch_with_the_engines_last_log_lines()
    {
        var path = Dir["text.gguf"];
        await File.WriteAllTextAsync(path, "hello, not a model");

        var e = await Assert.ThrowsAsync<EngineException>(() =>
            Launcher.LaunchAsync(new RunnerStartInfo(path, new EngineOptions()), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.LoadFailed, e.Kind);
        Assert.StartsWith("cannot load text.gguf: llama.cpp could not load the model file: not a GGUF file", e.Message);
        Assert.Contains("invalid magic characters", e.Message);
    }

    [Fact]
    public async Task Runner_without_the_fake_engine_fails_to_load_a_file_that_is_no_model()
    {
        // Today because the llama.cpp engine is not wired in; once it is, because llama.cpp rejects the file.
        var launcher = new RunnerLauncher(new RunnerLauncherOptions { LoadTimeout = Bound });

        var e = await Assert.ThrowsAsync<EngineException>(() =>
            launcher.LaunchAsync(new RunnerStartInfo(ModelPath, new EngineOptions()), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.LoadFailed, e.Kind);
        Assert.StartsWith("cannot load fake.gguf: ", e.Message);
    }

    [Fact]
    public async Task Runner_that_does_not_answer_in_time_fails_the_launch_and_is_killed()
    {
        // `sleep` stands in for a runner stuck loading: it never opens the socket.
        var launcher = new RunnerLauncher(new RunnerLauncherOptions { RunnerCommandLine = ["sh", "-c", "exec sleep 30", "runner"], LoadTimeout = TimeSpan.FromMilliseconds(500) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EngineException>(() =>
            launcher.LaunchAsync(new RunnerStartInfo(ModelPath, new EngineOptions()), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(EngineErrorKind.LoadFailed, e.Kind);
        Assert.Contains("did not load it within", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
