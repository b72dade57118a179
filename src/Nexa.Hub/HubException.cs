namespace Nexa.Hub;

/// <summary>What went wrong, in the terms a caller maps to an exit code or an HTTP status.</summary>
public enum HubErrorKind
{
    InvalidName,
    NotFound,
    Unsupported,
    Conflict,
    Network,
    Integrity,
    Storage,
    InvalidFile,
}

/// <summary>An error whose message is meant for the user as it is: no stack trace needed.</summary>
public class HubException(HubErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public HubErrorKind Kind { get; } = kind;
}
