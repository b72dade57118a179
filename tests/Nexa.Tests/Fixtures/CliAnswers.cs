using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexa.Tests.Fixtures;

/// <summary>What `nexa infer` and `nexa run` print for -p prompts: one answer line each on stdout, a footer each on stderr.</summary>
public static partial class CliAnswers
{
    public static string[] Lines(CliResult result) => result.Out.TrimEnd('\n').Split('\n');

    /// <summary>The token count of the first footer (`— 12.3 tok/s • 8 tok • 0.01 s first token —`).</summary>
    public static int FooterTokens(string stderr)
    {
        var footer = FooterPattern().Match(stderr);
        Assert.True(footer.Success, $"no footer in: {stderr}");
        return int.Parse(footer.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A finished answer is a whole JSON object; one cut at <paramref name="maxTokens"/> (a random model may ramble
    /// inside a string) is at least the start of one.
    /// </summary>
    public static void AssertJsonObject(CliResult result, int maxTokens)
    {
        var answer = result.Out.Trim();
        if (FooterTokens(result.Error) < maxTokens)
        {
            using var json = JsonDocument.Parse(answer);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        }
        else
        {
            Assert.StartsWith("{", answer);
        }
    }

    [GeneratedRegex(@"tok/s • (\d+) tok • ")]
    private static partial Regex FooterPattern();
}
