namespace Nexa.Tests.Fuzz;

/// <summary>How a fuzz case reaches the server.</summary>
public enum FuzzKind
{
    /// <summary>An ordinary HTTP request whose answer is read whole.</summary>
    Http,

    /// <summary>Bytes written to a socket as they are: broken framing, oversized lines.</summary>
    Raw,

    /// <summary>Raw bytes, then the client closes its side: a body cut short (the server may have no one to answer).</summary>
    RawCut,

    /// <summary>A streamed chat the client walks away from after the first event.</summary>
    CutStream,
}

/// <summary>One request of a fuzz run: <paramref name="Route"/> names it in the tally (e.g. "embeddings").</summary>
public sealed record FuzzCase(string Route, FuzzKind Kind, string Method, string Path, byte[] Body)
{
    public static FuzzCase Post(string route, string path, byte[] body) => new(route, FuzzKind.Http, "POST", path, body);
}

/// <summary>The models and images a fuzz run may name (null: the server has no such model).</summary>
public sealed record FuzzTargets(string Chat, string? Vision, string Embedder, string Reranker, string? ImageModel)
{
    /// <summary>Image URLs that reach something: a local image host, files on this machine, devices, a pipe.</summary>
    public IReadOnlyList<string> ImageUrls { get; init; } = [];
}
