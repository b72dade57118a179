namespace Nexa.Hub.Gguf;

/// <summary>
/// A file is not a GGUF file we can read: empty, truncated, not GGUF at all, an unsupported
/// version, or a header whose lengths and counts cannot be true. The message names the file.
/// </summary>
public sealed class GgufFormatException(string filePath, string reason) : HubException(HubErrorKind.InvalidFile, $"{filePath}: {reason}")
{
    /// <summary>The path (or the display name given to the reader) of the file that failed.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>What is wrong with the file, without its name.</summary>
    public string Reason { get; } = reason;
}
