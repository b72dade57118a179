using System.Globalization;
using System.Text;
using System.Text.Json;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;

namespace Nexa.Cli.Repl;

/// <summary>
/// The terminal chat of `nexa infer` and `nexa run`: one-shot prompts (-p) or a REPL with /help /exit /clear
/// /save /load, multi-line input, streamed answers, a speed footer, and Ctrl-C that stops the answer only.
/// </summary>
internal sealed class ChatRepl(
    IChatBackend backend, CliEnvironment env, ChatRequest template, string? systemPrompt, bool hideThink, int imageMaxLength = ImagePreparer.DefaultMaxLength)
{
    private const string Dim = "\u001b[2m", Reset = "\u001b[0m";
    private readonly List<ChatMessage> _history = [];

    /// <summary>`-p`: each prompt is one turn of one conversation; only answers go to stdout, footers to stderr.</summary>
    public async Task<int> RunPromptsAsync(IReadOnlyList<string> prompts, CancellationToken ct)
    {
        foreach (var prompt in prompts)
        {
            if (!await AnswerAsync(prompt, env.Error, ct))
                return ExitCodes.Failure;
        }
        return ExitCodes.Ok;
    }

    public async Task<int> RunInteractiveAsync(CancellationToken ct)
    {
        await env.Out.WriteLineAsync("Type a message and press Enter; /help for commands, /exit or Ctrl-D to quit.");
        // At the prompt, Ctrl-C does not end the chat (while an answer streams, it stops the answer).
        using var atPrompt = env.Interrupts.Redirect(() => env.Out.Write("\n(Ctrl-D or /exit to quit)\n>>> "));
        while (!ct.IsCancellationRequested)
        {
            var input = await ReadInputAsync(ct);
            if (input is null)
                break;
            if (input.Trim().Length == 0)
                continue;
            if (input.TrimStart().StartsWith('/'))
            {
                if (!await CommandAsync(input.Trim()))
                    break;
                continue;
            }
            await AnswerAsync(input, env.Out, ct);
        }
        return ExitCodes.Ok;
    }

    private async Task<bool> AnswerAsync(string typed, TextWriter footerTo, CancellationToken ct)
    {
        if (await UserMessageAsync(typed, ct) is not { } message)
            return false;
        _history.Add(message);
        var messages = systemPrompt is null ? _history.ToList() : [new ChatMessage("system", systemPrompt), .. _history];
        var answer = new StringBuilder();
        var thinking = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var redirect = env.Interrupts.Redirect(stop.Cancel);
        try
        {
            await foreach (var ev in backend.ChatAsync(template with { Messages = messages }, stop.Token))
            {
                switch (ev)
                {
                    case TextDelta { IsReasoning: true } reasoning:
                        if (!hideThink)
                        {
                            if (!thinking)
                                await env.Out.WriteAsync(env.IsInteractive ? Dim + "<think>" : "<think>");
                            await env.Out.WriteAsync(reasoning.Text);
                        }
                        thinking = true;
                        break;
                    case TextDelta delta:
                        if (thinking && !hideThink)
                            await env.Out.WriteAsync(env.IsInteractive ? "</think>" + Reset + "\n" : "</think>\n");
                        thinking = false;
                        answer.Append(delta.Text);
                        await env.Out.WriteAsync(delta.Text);
                        break;
                    case GenerationFinished done:
                        await env.Out.WriteLineAsync();
                        await footerTo.WriteLineAsync(Footer(done));
                        break;
                }
                await env.Out.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await env.Out.WriteLineAsync(env.IsInteractive ? Reset + "\n(stopped)" : "\n(stopped)");
        }
        catch (EngineException e)
        {
            _history.RemoveAt(_history.Count - 1);
            await env.Error.WriteLineAsync($"error: {e.Message}");
            return false;
        }
        _history.Add(new ChatMessage("assistant", answer.ToString()));
        return true;
    }

    // Image files named in the prompt become image parts; a model that cannot see, or a file that is no image, costs
    // one error line and the turn, not the session.
    private async Task<ChatMessage?> UserMessageAsync(string typed, CancellationToken ct)
    {
        var (text, found) = PromptImages.Extract(typed);
        if (found.Count == 0)
            return new ChatMessage("user", typed);
        if (!backend.CanSeeImages)
        {
            await env.Error.WriteLineAsync($"error: this model cannot see images (it has no vision projector); {found[0].Path} was not sent");
            return null;
        }
        try
        {
            return new ChatMessage("user", text) { Images = await PromptImageLoader.LoadAsync(found, imageMaxLength, ct) };
        }
        catch (ImageException e)
        {
            await env.Error.WriteLineAsync($"error: {e.Message}");
            return null;
        }
    }

    private string Footer(GenerationFinished done)
    {
        var decode = (done.Elapsed - done.TimeToFirstToken).TotalSeconds;
        var speed = done.CompletionTokens > 1 && decode > 0 ? (done.CompletionTokens - 1) / decode : 0;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"— {speed:0.0} tok/s • {done.CompletionTokens} tok • {done.TimeToFirstToken.TotalSeconds:0.00} s first token —");
        return env.IsInteractive ? Dim + text + Reset : text;
    }

    // One message: a line; a line ending in '\' continues; """ … """ encloses several lines.
    private async Task<string?> ReadInputAsync(CancellationToken ct)
    {
        await Prompt(">>> ");
        var first = await env.In.ReadLineAsync(ct);
        if (first is null)
            return null;
        if (first.Trim() == "\"\"\"")
        {
            var block = new StringBuilder();
            while (true)
            {
                await Prompt("... ");
                var line = await env.In.ReadLineAsync(ct);
                if (line is null || line.Trim() == "\"\"\"")
                    return block.ToString().TrimEnd('\n');
                block.Append(line).Append('\n');
            }
        }
        var text = new StringBuilder();
        var current = first;
        while (current.EndsWith('\\'))
        {
            text.Append(current[..^1]).Append('\n');
            await Prompt("... ");
            current = await env.In.ReadLineAsync(ct) ?? "";
        }
        return text.Append(current).ToString();
    }

    private async Task Prompt(string text)
    {
        if (env.IsInteractive)
        {
            await env.Out.WriteAsync(text);
            await env.Out.FlushAsync();
        }
    }

    /// <summary>Runs a /command; false means leave the REPL.</summary>
    private async Task<bool> CommandAsync(string line)
    {
        var space = line.IndexOf(' ');
        var (command, argument) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..].Trim());
        switch (command)
        {
            case "/exit" or "/bye" or "/quit":
                return false;
            case "/clear":
                _history.Clear();
                await env.Out.WriteLineAsync("(conversation cleared)");
                return true;
            case "/save" when argument.Length > 0:
                await File.WriteAllTextAsync(argument, JsonSerializer.Serialize(new SavedChat(systemPrompt, [.. _history.Select(m => new SavedMessage(m.Role, m.Content))]), ReplJsonContext.Default.SavedChat));
                await env.Out.WriteLineAsync($"(saved {_history.Count} messages to {argument})");
                return true;
            case "/load" when argument.Length > 0:
                try
                {
                    var saved = JsonSerializer.Deserialize(await File.ReadAllTextAsync(argument), ReplJsonContext.Default.SavedChat)
                        ?? throw new JsonException("empty file");
                    _history.Clear();
                    _history.AddRange(saved.Messages.Select(m => new ChatMessage(m.Role, m.Content)));
                    await env.Out.WriteLineAsync($"(loaded {_history.Count} messages from {argument})");
                }
                catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
                {
                    await env.Error.WriteLineAsync($"error: cannot load {argument}: {e.Message}");
                }
                return true;
            case "/help":
                await env.Out.WriteLineAsync(""""
                    /help            this help
                    /clear           forget the conversation
                    /save <file>     save the conversation (JSON)
                    /load <file>     load a saved conversation
                    /exit            quit (also /bye, Ctrl-D)
                    End a line with \ to continue it; wrap several lines in triple quotes (""").
                    Ctrl-C stops the answer being written.
                    """");
                return true;
            default:
                await env.Out.WriteLineAsync($"unknown command {command} (or missing file name); /help lists them");
                return true;
        }
    }
}

internal sealed record SavedMessage(string Role, string Content);

internal sealed record SavedChat(string? SystemPrompt, List<SavedMessage> Messages);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(SavedChat))]
internal sealed partial class ReplJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
