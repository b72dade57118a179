namespace Nexa.Server.Chat;

/// <summary>The id and creation time shared by every chunk of one answer.</summary>
internal sealed record CompletionIds(string Id, long Created)
{
    public static CompletionIds New(TimeProvider time) =>
        new("chatcmpl-" + Guid.NewGuid().ToString("N")[..24], time.GetUtcNow().ToUnixTimeSeconds());
}
