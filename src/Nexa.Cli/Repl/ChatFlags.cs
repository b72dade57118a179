using System.CommandLine;
using Nexa.Engine.Text;
using Nexa.Engine.Vision;

namespace Nexa.Cli.Repl;

/// <summary>The chat flags `nexa infer` and `nexa run` share, and how they become a request template.</summary>
internal sealed class ChatFlags
{
    public readonly Argument<string> Model = new("model") { Description = "org/repo[:QUANT] (a bare name means NexaAI/<name>)" };
    public readonly Option<float?> Temperature = new("--temperature") { Description = "Sampling temperature, 0 (greedy) to 2" };
    public readonly Option<float?> TopP = new("--top-p") { Description = "Nucleus sampling: keep the smallest set of tokens with this total probability" };
    public readonly Option<int?> TopK = new("--top-k") { Description = "Keep only the K most likely tokens (0: all)" };
    public readonly Option<float?> MinP = new("--min-p") { Description = "Drop tokens less likely than this fraction of the best one" };
    public readonly Option<float?> RepetitionPenalty = new("--repetition-penalty") { Description = "Penalise repeated tokens (1: off)" };
    public readonly Option<float?> PresencePenalty = new("--presence-penalty") { Description = "Penalise tokens already present (-2 to 2)" };
    public readonly Option<float?> FrequencyPenalty = new("--frequency-penalty") { Description = "Penalise tokens by how often they appeared (-2 to 2)" };
    public readonly Option<uint?> Seed = new("--seed") { Description = "Random seed (same seed, same answer)" };
    public readonly Option<int> MaxTokens = new("--max-tokens") { Description = "Most tokens per answer", DefaultValueFactory = _ => 2048 };
    public readonly Option<string[]> Stop = new("--stop") { Description = "A string that ends the answer (repeatable)", AllowMultipleArgumentsPerToken = false };
    public readonly Option<string?> SystemPrompt = new("--system-prompt", "-s") { Description = "System prompt for the conversation" };
    public readonly Option<string[]> Prompt = new("--prompt", "-p") { Description = "Ask this and print the answer, no REPL (repeatable: one turn each)" };
    public readonly Option<bool> EnableThink = new("--enable-think") { Description = "Let thinking models think (<think>…</think>)" };
    public readonly Option<bool> HideThink = new("--hide-think") { Description = "Do not print the <think>…</think> part of answers" };
    public readonly Option<string?> GrammarPath = new("--grammar-path") { Description = "GBNF grammar file every answer must follow (start rule root)" };
    public readonly Option<string?> GrammarString = new("--grammar-string") { Description = "GBNF grammar every answer must follow (start rule root)" };
    public readonly Option<int> ImageMaxLength = new("--image-max-length")
    {
        Description = "Shrink images named in the prompt (.png/.jpg/.jpeg/.webp paths) to this many pixels on their longer side",
        DefaultValueFactory = _ => ImagePreparer.DefaultMaxLength,
    };
    public readonly Option<bool> EnableJson = new("--enable-json") { Description = "Answer with a JSON object" };

    /// <summary>The JSON Schema of any JSON object: OpenAI's <c>json_object</c>, what --enable-json asks for.</summary>
    public const string JsonObjectSchema = """{"type":"object"}""";

    public void AddTo(Command command)
    {
        command.Arguments.Add(Model);
        foreach (Option option in (Option[])[Temperature, TopP, TopK, MinP, RepetitionPenalty, PresencePenalty, FrequencyPenalty, Seed, MaxTokens, Stop, SystemPrompt, Prompt, EnableThink, HideThink, GrammarPath, GrammarString, EnableJson, ImageMaxLength])
            command.Options.Add(option);
    }

    /// <summary>The checked --image-max-length (1 to 4096, as the server's image_max_length).</summary>
    public int ImageMaxLengthOf(ParseResult parsed) =>
        parsed.GetValue(ImageMaxLength) is var value and >= 1 and <= 4096
            ? value
            : throw new CliException("--image-max-length must be between 1 and 4096", ExitCodes.Usage);

    /// <summary>The request every turn starts from; reads --grammar-path. Bad flags are usage errors.</summary>
    public async Task<ChatRequest> TemplateAsync(ParseResult parsed, CancellationToken ct)
    {
        var grammar = await GrammarAsync(parsed, ct);
        var json = parsed.GetValue(EnableJson);
        if (json && grammar is not null)
            throw new CliException("--enable-json cannot be combined with a grammar: a JSON answer is enforced by a grammar of its own; give one or the other", ExitCodes.Usage);
        var defaults = new SamplingOptions();
        var maxTokens = parsed.GetValue(MaxTokens);
        if (maxTokens < 1)
            throw new CliException("--max-tokens must be at least 1", ExitCodes.Usage);
        return new ChatRequest
        {
            Messages = [],
            MaxTokens = maxTokens,
            Stop = parsed.GetValue(Stop) ?? [],
            EnableThinking = parsed.GetValue(EnableThink),
            Grammar = grammar,
            JsonSchema = json ? JsonObjectSchema : null,
            Sampling = defaults with
            {
                Temperature = parsed.GetValue(Temperature) ?? defaults.Temperature,
                TopP = parsed.GetValue(TopP) ?? defaults.TopP,
                TopK = parsed.GetValue(TopK) ?? defaults.TopK,
                MinP = parsed.GetValue(MinP) ?? defaults.MinP,
                RepetitionPenalty = parsed.GetValue(RepetitionPenalty) ?? defaults.RepetitionPenalty,
                PresencePenalty = parsed.GetValue(PresencePenalty) ?? defaults.PresencePenalty,
                FrequencyPenalty = parsed.GetValue(FrequencyPenalty) ?? defaults.FrequencyPenalty,
                Seed = parsed.GetValue(Seed),
            },
        };
    }

    // The text of --grammar-string or of the --grammar-path file; null when neither is given. Its syntax is the
    // engine's to check (it names line:column, and `nexa run` hears it from the server), only its size is checked here.
    private async Task<string?> GrammarAsync(ParseResult parsed, CancellationToken ct)
    {
        var path = parsed.GetValue(GrammarPath);
        var text = parsed.GetValue(GrammarString);
        if (path is not null && text is not null)
            throw new CliException("give the grammar with --grammar-path or with --grammar-string, not both", ExitCodes.Usage);
        if (path is null && text is null)
            return null;
        var source = path is null ? "--grammar-string" : $"--grammar-path {path}";
        text ??= await ReadGrammarAsync(path!, ct);
        if (text.Trim().Length == 0)
            throw new CliException($"{source}: the grammar is empty", ExitCodes.Usage);
        if (text.Length > SamplingLimits.MaxGrammarLength)
            throw new CliException($"{source}: the grammar has {text.Length} characters, more than {SamplingLimits.MaxGrammarLength}", ExitCodes.Usage);
        return text;
    }

    private static async Task<string> ReadGrammarAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
            throw new CliException(Directory.Exists(path) ? $"--grammar-path: {path} is a folder, not a file" : $"--grammar-path: no such file: {path}", ExitCodes.Usage);
        try
        {
            // A file far beyond the limit is refused unread (UTF-8 spends at most 4 bytes a character).
            var bytes = new FileInfo(path).Length;
            if (bytes > 4L * SamplingLimits.MaxGrammarLength)
                throw new CliException($"--grammar-path {path}: {bytes} bytes, more than a grammar of {SamplingLimits.MaxGrammarLength} characters can be", ExitCodes.Usage);
            return await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--grammar-path: cannot read {path}: {e.Message}", ExitCodes.Usage);
        }
    }
}
