namespace Nexa.Server.Vision;

/// <summary>
/// What an image URL may reach. A server on loopback serves only this machine's users, who can read its files and
/// network anyway; a server open to the network must not hand them to strangers, unless its operator says so.
/// </summary>
internal sealed record ImagePolicy(bool AllowLocalFiles, bool AllowPrivateUrls)
{
    /// <summary>Seconds a remote image may take, connection and whole body included.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public int MaxRedirects { get; init; } = 5;

    public static ImagePolicy For(ServerOptions options, bool listensOnLoopback) =>
        new(options.AllowLocalFiles || listensOnLoopback, options.AllowPrivateUrls || listensOnLoopback)
        {
            FetchTimeout = options.ImageFetchTimeout,
        };
}
