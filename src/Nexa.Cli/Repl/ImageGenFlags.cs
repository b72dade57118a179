using System.CommandLine;
using System.Globalization;

namespace Nexa.Cli.Repl;

/// <summary>The flags of `nexa infer &lt;image model&gt;` (besides -p and --seed, which chat has too).</summary>
internal sealed class ImageGenFlags
{
    public readonly Option<string?> Output = new("--output", "-o") { Description = "Image models: the PNG to write (with -n above 1: out-1.png, out-2.png…; default image.png)" };
    public readonly Option<string?> Size = new("--size") { Description = "Image models: WIDTHxHEIGHT in pixels, multiples of 64 (default: the model's square size)" };
    public readonly Option<int?> Steps = new("--steps") { Description = "Image models: denoising steps (default: the model's, e.g. 1 for sdxl-turbo)" };
    public readonly Option<float?> GuidanceScale = new("--guidance-scale") { Description = "Image models: classifier-free guidance (1 or less: off)" };
    public readonly Option<int> Count = new("-n") { Description = "Image models: images to generate, 1 to 4", DefaultValueFactory = _ => 1 };
    public readonly Option<string?> NegativePrompt = new("--negative-prompt") { Description = "Image models: what the image should not show" };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Output, Size, Steps, GuidanceScale, Count, NegativePrompt])
            command.Options.Add(option);
    }

    /// <summary>True when any image-only flag was given (a chat model then refuses them).</summary>
    public bool AnyGiven(ParseResult parsed) =>
        new Option[] { Output, Size, Steps, GuidanceScale, Count, NegativePrompt }.Any(o => parsed.GetResult(o) is { Implicit: false });

    /// <summary>"512x768" → (512, 768); a usage error for anything else.</summary>
    public static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Trim().Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && width > 0 && height > 0 && width % 64 == 0 && height % 64 == 0)
        {
            return (width, height);
        }
        throw new CliException($"--size must be WIDTHxHEIGHT in pixels, each a multiple of 64 (e.g. 512x512), not '{size}'", ExitCodes.Usage);
    }
}
