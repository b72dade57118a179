using System.Runtime.CompilerServices;
using Nexa.Cli;
using Nexa.Cli.Repl;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;

namespace Nexa.Tests.Cli;

public class ChatReplTests
{
    /// <summary>Answers "echo: &lt;last user message&gt;" in two pieces, with an optional thought first; records every request.</summary>
    private sealed class EchoBackend(bool think = false) : IChatBackend
    {
        public List<ChatRequest> Requests { get; } = [];

        public async IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
        {
            Requests.Add(request);
            await Task.Yield();
            if (think)
                yield return new TextDelta("hmm", true);
            yield return new TextDelta("echo: ", false);
            yield return new TextDelta(request.Messages[^1].Content, false);
            yield return new GenerationFinished(FinishReason.Stop, 5, 3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static (CliEnvironment Env, StringWriter Out, StringWriter Error) Env(string input = "")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new CliEnvironment(output, error, _ => null, IsInteractive: false) { In = new StringReader(input) }, output, error);
    }

    [Fact]
    public async Task Prompts_print_only_the_answers_on_stdout_and_the_footer_on_stderr()
    {
        var (env, output, error) = Env();
        var backend = new EchoBackend();
        var repl = new ChatRepl(backend, env, new ChatRequest { Messages = [] }, "be brief", hideThink: false);

        Assert.Equal(0, await repl.RunPromptsAsync(["one", "two"], CancellationToken.None));

        Assert.Equal("echo: one\necho: two\n", output.ToString());
        Assert.Contains("tok/s • 3 tok • 0.01 s first token —", error.ToString());
        // One conversation: the second turn carries the system prompt and the first exchange.
        Assert.Equal(["system", "user", "assistant", "user"], backend.Requests[1].Messages.Select(m => m.Role));
        Assert.Equal("echo: one", backend.Requests[1].Messages[2].Content);
    }

    [Fact]
    public async Task Thinking_is_shown_in_tags_or_hidden_with_hide_think()
    {
        var (env, output, _) = Env();
        await new ChatRepl(new EchoBackend(think: true), env, new ChatRequest { Messages = [] }, null, hideThink: false).RunPromptsAsync(["x"], CancellationToken.None);
        Assert.Equal("<think>hmm</think>\necho: x\n", output.ToString());

        var (hidden, hiddenOut, _) = Env();
        await new ChatRepl(new EchoBackend(think: true), hidden, new ChatRequest { Messages = [] }, null, hideThink: true).RunPromptsAsync(["x"], CancellationToken.None);
        Assert.Equal("echo: x\n", hiddenOut.ToString());
    }

    [Fact]
    public async Task Repl_handles_multi_line_input_clear_save_and_load()
    {
        using var dir = new TempDir();
        var saved = dir["chat.json"];
        var (env, output, _) = Env($"first\nline one\\\nline two\n\"\"\"\na\nb\n\"\"\"\n/save {saved}\n/clear\n/load {saved}\nlast\n/nope\n/exit\nnever\n");
        var backend = new EchoBackend();

        Assert.Equal(0, await new ChatRepl(backend, env, new ChatRequest { Messages = [] }, null, false).RunInteractiveAsync(CancellationToken.None));

        Assert.Equal(["first", "line one\nline two", "a\nb", "last"], backend.Requests.Select(r => r.Messages[^1].Content));
        Assert.Equal(7, backend.Requests[^1].Messages.Count); // 3 loaded exchanges + the last question
        Assert.Contains("(saved 6 messages", output.ToString());
        Assert.Contains("(conversation cleared)", output.ToString());
        Assert.Contains("(loaded 6 messages", output.ToString());
        Assert.Contains("unknown command /nope", output.ToString());
        Assert.DoesNotContain("never", string.Join(",", backend.Requests.Select(r => r.Messages[^1].Content)));
    }

    [Fact]
    public async Task An_engine_error_is_reported_and_the_turn_forgotten()
    {
        var (env, _, error) = Env();
        var repl = new ChatRepl(new FailingBackend(), env, new ChatRequest { Messages = [] }, null, false);

        Assert.Equal(1, await repl.RunPromptsAsync(["x"], CancellationToken.None));
        Assert.Contains("error: too long", error.ToString());
    }

    private sealed class FailingBackend : IChatBackend
    {
        public async IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            throw new EngineException(EngineErrorKind.InvalidRequest, "too long", "context_length_exceeded");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public class InterruptsTests
{
    [Fact]
    public void Ctrl_c_goes_to_the_innermost_redirect_then_back_to_the_outer_one_then_cancels_the_command()
    {
        var interrupts = new Nexa.Cli.Interrupts();
        var calls = new List<string>();
        using (interrupts.Redirect(() => calls.Add("prompt")))
        {
            using (interrupts.Redirect(() => calls.Add("answer")))
                interrupts.Raise();
            interrupts.Raise();
        }
        Assert.False(interrupts.Command.IsCancellationRequested);
        interrupts.Raise();

        Assert.Equal(["answer", "prompt"], calls);
        Assert.True(interrupts.Command.IsCancellationRequested);
    }
}
