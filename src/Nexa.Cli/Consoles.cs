using Spectre.Console;

namespace Nexa.Cli;

internal static class Consoles
{
    /// <summary>A Spectre console over the given writer: colours and live widgets only when a person is watching.</summary>
    public static IAnsiConsole For(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        // Piped output (logs, grep) should not wrap table cells at an imagined 80 columns.
        if (!interactive)
            console.Profile.Width = 240;
        return console;
    }
}
