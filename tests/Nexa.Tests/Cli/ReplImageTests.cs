using System.Runtime.CompilerServices;
using Nexa.Cli;
using Nexa.Cli.Repl;
using Nexa.Engine.Text;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Cli;

/// <summary>`nexa infer` / `nexa run`: an image file named in the typed prompt becomes an image part at that place.</summary>
public sealed class ReplImageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Echoes the last message's text; records every request; sees images or not.</summary>
    private sealed class RecordingBackend(bool canSee) : IChatBackend
    {
        public List<ChatRequest> Requests { get; } = [];
        public bool CanSeeImages => canSee;

        public async IAsyncEnumerable<GenerationEvent> ChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
        {
            Requests.Add(request);
            await Task.Yield();
            yield return new TextDelta("ok: " + request.Messages[^1].Content, false);
            yield return new GenerationFinished(FinishReason.Stop, 5, 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static (CliEnvironment Env, StringWriter Out, StringWriter Error) Env(string input = "")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new CliEnvironment(output, error, _ => null, IsInteractive: false) { In = new StringReader(input) }, output, error);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _dir[name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("describe {0} please", "describe please", 8)]
    [InlineData("{0} what is it", "what is it", 0)]
    [InlineData("what is in {0}", "what is in", 10)]
    [InlineData("what is in \"{0}\"", "what is in", 10)]
    [InlineData("what is in '{0}' now", "what is in now", 10)]
    public void A_path_to_an_existing_image_becomes_an_image_at_its_place(string typed, string text, int position)
    {
        var path = Write("my pics/cat.PNG", TestImages.Png(4, 4));
        var quoted = typed.Contains('"') || typed.Contains('\'');
        var prompt = string.Format(typed, quoted ? path : path.Replace("my pics", "my_pics"));
        if (!quoted)
            Write("my_pics/cat.PNG", TestImages.Png(4, 4));

        var (remaining, images) = PromptImages.Extract(prompt);

        Assert.Equal(text, remaining);
        Assert.Equal(position, Assert.Single(images).Position);
    }

    [Theory]
    [InlineData("what is a /no/such/file.png")]
    [InlineData("convert notes.txt to a .jpg")]
    [InlineData("plain words only")]
    public void Words_that_name_no_image_file_stay_text(string typed)
    {
        var (text, images) = PromptImages.Extract(typed);

        Assert.Equal(typed, text);
        Assert.Empty(images);
    }

    [Fact]
    public void Several_images_keep_their_order()
    {
        var a = Write("a.jpg", TestImages.Jpeg(4, 4));
        var b = Write("b.webp", TestImages.Webp(4, 4));

        var (text, images) = PromptImages.Extract($"{a} {b} compare them and {a}");

        Assert.Equal("compare them and", text);
        Assert.Equal([(a, 0), (b, 0), (a, 16)], images.Select(i => (i.Path, i.Position)));
    }

    [Fact]
    public async Task The_repl_sends_the_image_shrunk_to_image_max_length()
    {
        var path = Write("big.jpg", TestImages.Jpeg(1000, 500));
        var (env, output, _) = Env();
        var backend = new RecordingBackend(canSee: true);

        var code = await new ChatRepl(backend, env, new ChatRequest { Messages = [] }, null, false, imageMaxLength: 100)
            .RunPromptsAsync([$"describe {path}", "and again?"], CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Equal("ok: describe\nok: and again?\n", output.ToString());
        var first = backend.Requests[0].Messages.Single();
        var image = Assert.Single(first.Images);
        Assert.Equal((100, 50), (TestImages.Read(image.Data).Width, TestImages.Read(image.Data).Height));
        Assert.Equal("describe".Length, image.Position);
        // The image stays in the history for the next turn.
        Assert.Single(backend.Requests[1].Messages[0].Images);
    }

    [Fact]
    public async Task A_model_that_cannot_see_gets_one_error_line_and_the_repl_goes_on()
    {
        var path = Write("cat.png", TestImages.Png(4, 4));
        var (env, output, error) = Env($"look at {path}\nhello\n/exit\n");
        var backend = new RecordingBackend(canSee: false);

        Assert.Equal(0, await new ChatRepl(backend, env, new ChatRequest { Messages = [] }, null, false).RunInteractiveAsync(CancellationToken.None));

        Assert.Equal("hello", Assert.Single(backend.Requests).Messages.Single().Content);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: this model cannot see images", line);
        Assert.Contains("ok: hello", output.ToString());
    }

    [Fact]
    public async Task A_file_named_png_that_is_no_image_gets_one_error_line_and_the_repl_goes_on()
    {
        var path = Write("fake.png", "not a picture"u8.ToArray());
        var (env, _, error) = Env($"look at {path}\nhello\n");
        var backend = new RecordingBackend(canSee: true);

        await new ChatRepl(backend, env, new ChatRequest { Messages = [] }, null, false).RunInteractiveAsync(CancellationToken.None);

        Assert.Single(backend.Requests);
        Assert.StartsWith($"error: {path}: not an image", error.ToString());
    }

    [Fact]
    public async Task Nexa_run_sends_the_image_to_the_server_as_a_data_uri()
    {
        await using var server = await ServerHarness.StartAsync();
        var path = Write("wide.png", TestImages.Png(600, 200));
        var variables = new Dictionary<string, string?> { ["NEXA_HOST"] = server.Server.BaseAddress.ToString() };

        var result = await CliRunner.RunAsync(variables, "run", ServerHarness.Vision, "--image-max-length", "300", "-p", $"describe {path} briefly");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("You said: describe", result.Out);
        var message = server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Last().Messages.Single();
        Assert.Equal("describe\nbriefly", message.Content); // text parts around the image, joined by the server
        var image = Assert.Single(message.Images);
        Assert.Equal("describe".Length, image.Position);
        Assert.Equal((300, 100), (TestImages.Read(image.Data).Width, TestImages.Read(image.Data).Height));
    }

    [Fact]
    public async Task Nexa_run_with_a_text_model_and_an_image_says_so_in_one_line()
    {
        await using var server = await ServerHarness.StartAsync();
        var path = Write("cat.png", TestImages.Png(8, 8));
        var variables = new Dictionary<string, string?> { ["NEXA_HOST"] = server.Server.BaseAddress.ToString() };

        var result = await CliRunner.RunAsync(variables, "run", ServerHarness.ChatModel, "-p", $"what is {path}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: model 'test/chat' cannot see images", result.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("5000")]
    public async Task An_image_max_length_out_of_range_is_a_usage_error(string value)
    {
        var result = await CliRunner.RunAsync(new Dictionary<string, string?>(), "run", "test/vision", "--image-max-length", value, "-p", "hi");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--image-max-length", result.Error);
    }
}
