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
    public readonly Option<string?> GrammarPath = new("--grammar-path") { Description = "GBNF grammar file to constrain answers (not supported yet)" };
    public readonly Option<string?> GrammarString = new("--grammar-string") { Description = "GBNF grammar to constrain answers (not supported yet)" };
    public readonly Option<int> ImageMaxLength = new("--image-max-length")
    {
        Description = "Shrink images named in the prompt (.png/.jpg/.jpeg/.webp paths) to this many pixels on their longer side",
        DefaultValueFactory = _ => ImagePreparer.DefaultMaxLength,
    };
    public readonly Option<bool> EnableJson = new("--enable-json") { Description = "Answer in JSON (not supported yet)" };

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

    public ChatRequest Template(ParseResult parsed)
    {
        if (parsed.GetValue(GrammarPath) is not null || parsed.GetValue(GrammarString) is not null || parsed.GetValue(EnableJson))
            throw new CliException("not supported yet: grammar- and JSON-constrained answers (--grammar-path, --grammar-string, --enable-json)");
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
}
