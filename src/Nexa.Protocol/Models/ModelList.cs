namespace Nexa.Protocol.Models;

/// <summary><c>GET /v1/models</c>: OpenAI's list object.</summary>
public sealed record ModelList
{
    public string Object { get; init; } = "list";
    public required IReadOnlyList<ModelCard> Data { get; init; }
}

/// <summary>One pulled model: <c>id</c> is <c>org/repo</c>, <c>created</c> a Unix time, <c>owned_by</c> the org.</summary>
public sealed record ModelCard
{
    public required string Id { get; init; }
    public string Object { get; init; } = "model";
    public required long Created { get; init; }
    public required string OwnedBy { get; init; }
}
